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
; Uninstalling removes only what this installer put in {app} and the shortcuts. The audit journal,
; its key file and the settings live in each user's profile (%LOCALAPPDATA%\station, from
; platformdirs), the tokens and the audit key in Windows Credential Manager: none of them is
; installed here and none is deleted on uninstall, so a reinstall or an upgrade keeps them. Do not
; add [UninstallDelete] entries for {localappdata}, {userappdata} or {commonappdata}.

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
#define BundleDir RepoRoot + "\dist\station"
#define AppExeName "station.exe"
#define ConsoleExeName "station-console.exe"
#define AppIcon RepoRoot + "\resources\icons\station.ico"

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
OutputDir={#RepoRoot}\dist
OutputBaseFilename=station-{#AppVersion}-windows-x86_64-setup
SetupIconFile={#AppIcon}
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
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
Source: "{#BundleDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundle's files wholesale: stale libraries from an older version must go.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; WorkingDir: "{app}"; Tasks: desktopicon
Name: "{commonstartup}\{#AppName} (kiosk)"; Filename: "{app}\{#AppExeName}"; Parameters: "--kiosk"; WorkingDir: "{app}"; Tasks: kiosk

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
