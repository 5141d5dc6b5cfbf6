"""The fleet after an outage: ``python -m station.bench fleet [--stations N] [--json]``.

N simulated stations, each with its own journal, key and the real shipper, ship their backlogs to
one real rsyslog relay started here, after it was down. One job per module:

=========== =======================================================================================
backlog     a station's journal after an outage: days of rows, realistic times, heartbeats
pki         a throwaway CA, the relay's certificate and the stations' client certificate
relay       rsyslogd configured like the README's relay sample; its CPU and sessions sampled
stations    the worker processes: many stations each, one shipper thread per station, the faults
received    what the relay wrote, read back
alerts      the README's SIEM alert rules as queries over it
scenario    the outage, the catch-up, and the figures
capacity    the relay's maximum ingest and handshake cost, measured with several sender processes
cli         the command line
=========== =======================================================================================
"""
