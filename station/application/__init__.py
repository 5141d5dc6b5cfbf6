"""The application layer: a customer's verification, free of Qt.

Between the parts (``api``, ``audit``, ``camera``, ``vision``…) and what drives them (the window,
``station verify``, the self-test, the benchmarks) sits the flow of one customer at the counter:

- :mod:`~station.application.session`: :class:`CustomerSession`, the state machine (reference →
  attempts through the quality gate → verify → decide → review or face pick → closed);
- :mod:`~station.application.desk`: :class:`Desk`, one session at a time, the shift's gate, the
  parts' health and the camera as reported, and the one :mod:`~station.application.background`
  owner of the work nobody waits for;
- :mod:`~station.application.port`: the verifier port, the desk's only way to the trusted side
  (:func:`~station.application.factory.build_port` chooses the implementation);
- :mod:`~station.application.verifier`: the trusted side's parts, swappable at run time;
- :mod:`~station.application.supervisor`: the checks that keep the station's health current;
- :mod:`~station.application.attempt` and :mod:`~station.application.recording`: one attempt end
  to end, and the bridge to the journal (no journal row, no final verdict);
- :mod:`~station.application.tokens`: the one token store;
- :mod:`~station.application.factory`: client, journal and recorder built from the settings.

The widgets are views of these objects; an import-linter contract keeps Qt out of this package.
"""
