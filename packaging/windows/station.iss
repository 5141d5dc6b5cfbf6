; Inno Setup 6 script for the station: a per-machine installer of the PyInstaller one-folder bundle.
;
; Do not compile this file by hand: run
;     py packaging\windows\make_installer.py [--sign]
; after `py packaging\build`. The script passes the name, version and publisher from
; pyproject.toml (/DAppName, /DAppVersion, /DAppPublisher; the version comes from
; station/__init__.py, the one place it is written), the repository root (/DRepoRoot) and, with
; --sign, the sign tool (/DSignTool plus /S…), so nothing here repeats them.
;
; Installs dist\station\ (station.exe, station-console.exe, _internal\) into
; C:\Program Files\<AppName>, with a Start menu entry, an optional desktop shortcut and an
; optional kiosk autostart (station.exe --kiosk for every user who signs in).
;
; The machine folders (station/locations.py) are created here with their own ACLs, inheritance
; from ProgramData removed (by default any user may create files in a ProgramData subfolder):
;   %ProgramData%\Station\config  policy files and people.json: Administrators and SYSTEM full,
;                                 Users read; an operator can neither add a PIN nor change a rule.
;   %ProgramData%\Station\data    the journal, its key, the administrator's settings, the PIN
;                                 attempt count and the logs: Users modify, so every operator's
;                                 station process appends to the one journal.
;   %ProgramData%\Station\private the station service's own store (its token, sealed with
;                                 machine-scope DPAPI; the PIN hashes): SYSTEM, Administrators and
;                                 the service's account (NT SERVICE\Station) only. Users nothing.
;
; The station service: station-console.exe service run, registered as the Windows service
; "Station" under its virtual account NT SERVICE\Station, started automatically, and started at
; the end of setup; its Event Log source "Station" (Application log) is registered here. The GUI
; and station-console.exe verify are its clients over \\.\pipe\station-service. An upgrade stops
; it before the files are replaced and starts it again; uninstalling stops and deletes it (the
; journal, its key and anchor, and the private store stay).
; Uninstalling removes only what this installer put in {app} and the shortcuts; the machine folders
; (evidence), the operators' settings (%LOCALAPPDATA%\station) and the tokens in Windows
; Credential Manager stay, so a reinstall or an upgrade keeps them. Do not add [UninstallDelete]
; entries for {localappdata}, {userappdata} or {commonappdata}.

#ifndef AppName
  #error AppName is not defined: build the installer with packaging\windows\make_installer.py
#endif
#ifndef AppVersion
  #error AppVersion is not defined: build the installer with packaging\windows\make_installer.py
#endif
#ifndef AppPublisher
  #error AppPublisher is not defined: build the installer with packaging\windows\make_installer.py
#endif
#ifndef RepoRoot
  #define RepoRoot "..\.."
#endif

; What packaging\build produces (see packaging\station.spec and tests\packaging\test_installer.py).
#ifndef BundleDir
#define BundleDir RepoRoot + "\dist\station"
#endif
#ifndef OutputDir
#define OutputDir RepoRoot + "\dist"
#endif
; Compression: the release keeps lzma2/max; CI may pass /DCompression=none (ISCC takes minutes less).
#ifndef Compression
#define Compression "lzma2/max"
#endif
#define AppExeName "station.exe"
#define ConsoleExeName "station-console.exe"
#define AppIcon RepoRoot + "\resources\icons\station.ico"
#define NoticesName "THIRD-PARTY-NOTICES.txt"

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{B230B960-BB1A-4DA8-984C-4B98E5A1B3C8}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
AppCopyright=Copyright (C) {#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoCompany={#AppPublisher}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} installer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine: Program Files, shortcuts for all users; needs an administrator.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=station-{#AppVersion}-windows-x86_64-setup
SetupIconFile={#AppIcon}
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName} {#AppVersion}
Compression={#Compression}
#if Compression != "none"
SolidCompression=yes
#endif
WizardStyle=modern
CloseApplications=yes
#ifdef SignTool
; make_installer.py --sign defines the tool with /S<name>=signtool sign … $f; Inno signs the
; setup and the uninstaller with it.
SignTool={#SignTool}
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "kiosk"; Description: "Start {#AppName} in kiosk mode whenever a user signs in"; GroupDescription: "Kiosk:"; Flags: unchecked

[Files]
Source: "{#BundleDir}\{#AppExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#ConsoleExeName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#NoticesName}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
Name: "{commonappdata}\Station"; Flags: uninsneveruninstall
Name: "{commonappdata}\Station\config"; Flags: uninsneveruninstall
Name: "{commonappdata}\Station\data"; Flags: uninsneveruninstall
Name: "{commonappdata}\Station\private"; Flags: uninsneveruninstall

[Registry]
; The station service's Event Log source (the Application log).
Root: HKLM64; Subkey: "SYSTEM\CurrentControlSet\Services\EventLog\Application\Station"; ValueType: dword; ValueName: "TypesSupported"; ValueData: "7"; Flags: uninsdeletekey

[InstallDelete]
; An upgrade replaces the bundle's files wholesale: stale libraries from an older version must go.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon
Name: "{commonstartup}\{#AppName} (kiosk)"; Filename: "{app}\{#AppExeName}"; Parameters: "--kiosk"; WorkingDir: "{app}"; Tasks: kiosk

[Run]
; The station service (a fresh install creates it; an upgrade finds it and sets its command again).
Filename: "{sys}\sc.exe"; Parameters: "create Station binPath= ""\""{app}\{#ConsoleExeName}\"" service run"" obj= ""NT SERVICE\Station"" start= auto DisplayName= ""{#AppName} service"""; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "config Station binPath= ""\""{app}\{#ConsoleExeName}\"" service run"" obj= ""NT SERVICE\Station"" start= auto"; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "description Station ""Holds the station's token, journal and PINs and makes every verification; the station window is its client."""; Flags: runhidden waituntilterminated
; After the service exists, so its virtual account has a SID to grant. SIDs, not names, so a
; localised Windows ("Administratoren", "Benutzer") is no different:
; S-1-5-32-544 Administrators, S-1-5-18 SYSTEM, S-1-5-32-545 Users.
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Station\config"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX"; Flags: runhidden waituntilterminated
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Station\data"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F *S-1-5-32-545:(OI)(CI)M ""NT SERVICE\Station:(OI)(CI)M"""; Flags: runhidden waituntilterminated
Filename: "{sys}\icacls.exe"; Parameters: """{commonappdata}\Station\private"" /inheritance:r /grant:r *S-1-5-32-544:(OI)(CI)F *S-1-5-18:(OI)(CI)F ""NT SERVICE\Station:(OI)(CI)M"""; Flags: runhidden waituntilterminated
Filename: "{sys}\sc.exe"; Parameters: "start Station"; Flags: runhidden waituntilterminated
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; The service was stopped in CurUninstallStepChanged (below); now it goes.
Filename: "{sys}\sc.exe"; Parameters: "delete Station"; Flags: runhidden waituntilterminated; RunOnceId: "DeleteStationService"

[Code]
{ Downgrades: a newer station already installed is kept unless an administrator runs this
  setup with /ALLOWDOWNGRADE (an older build might not read the newer journal or settings).
  The installed version is the DisplayVersion Inno wrote under the uninstall key of this AppId;
  a refused downgrade ends setup with exit code 1 and says why (in the log with /LOG too). }

const
  UninstallKey = 'Software\Microsoft\Windows\CurrentVersion\Uninstall\{B230B960-BB1A-4DA8-984C-4B98E5A1B3C8}_is1';
  DowngradeSwitch = '/ALLOWDOWNGRADE';

function NextVersionPart(var S: String): Integer;
var
  P: Integer;
begin
  P := Pos('.', S);
  if P = 0 then
  begin
    Result := StrToIntDef(S, 0);
    S := '';
  end
  else
  begin
    Result := StrToIntDef(Copy(S, 1, P - 1), 0);
    Delete(S, 1, P);
  end;
end;

{ -1, 0 or 1 as A is older than, the same as, or newer than B (dotted numbers). }
function CompareDottedVersions(A, B: String): Integer;
var
  I, X, Y: Integer;
begin
  Result := 0;
  for I := 1 to 4 do
  begin
    X := NextVersionPart(A);
    Y := NextVersionPart(B);
    if X < Y then
    begin
      Result := -1;
      Exit;
    end;
    if X > Y then
    begin
      Result := 1;
      Exit;
    end;
  end;
end;

function DowngradeAllowed(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), DowngradeSwitch) = 0 then
      Result := True;
end;

{ Stop the station service and wait (up to 60 s) until Windows says it has stopped, so its files
  can be replaced or removed. Nothing to do when it is not installed. }
procedure StopStationService();
var
  Code, I: Integer;
  Sc, Query: String;
begin
  Sc := ExpandConstant('{sys}\sc.exe');
  if not Exec(Sc, 'query Station', '', SW_HIDE, ewWaitUntilTerminated, Code) or (Code <> 0) then
    Exit;
  Exec(Sc, 'stop Station', '', SW_HIDE, ewWaitUntilTerminated, Code);
  Query := '/C ' + Sc + ' query Station | ' + ExpandConstant('{sys}\find.exe') + ' "STOPPED"';
  for I := 1 to 120 do
  begin
    if Exec(ExpandConstant('{cmd}'), Query, '', SW_HIDE, ewWaitUntilTerminated, Code) and (Code = 0) then
    begin
      Log('The station service is stopped');
      Exit;
    end;
    Sleep(500);
  end;
  Log('The station service did not report stopped within 60 s');
end;

function PrepareToInstall(var NeedsRestart: Boolean): String;
begin
  StopStationService();
  Result := '';
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usUninstall then
    StopStationService();
end;

function InitializeSetup(): Boolean;
var
  Installed: String;
begin
  Result := True;
  if not RegQueryStringValue(HKLM64, UninstallKey, 'DisplayVersion', Installed) then
    Exit;
  if CompareDottedVersions(Installed, '{#AppVersion}') <= 0 then
    Exit;
  if DowngradeAllowed() then
  begin
    Log('Downgrading from ' + Installed + ' to {#AppVersion}: ' + DowngradeSwitch + ' was given');
    Exit;
  end;
  Log('Refusing to downgrade: ' + Installed + ' is installed, this is {#AppVersion}');
  SuppressibleMsgBox('{#AppName} ' + Installed + ' is installed, newer than this setup ({#AppVersion}).' + #13#10#13#10 +
    'To go back to {#AppVersion}, an administrator runs this setup with ' + DowngradeSwitch + '.',
    mbError, MB_OK, IDOK);
  Result := False;
end;
