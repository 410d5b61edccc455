/** What Get-CloudwardHost.ps1 reads, and which parts need an elevated session. */
export function windowsPermissions(): { format: 'text'; text: string } {
  return {
    format: 'text',
    text: `# cloudward windows: Get-CloudwardHost.ps1 is read-only and runs as a standard user.
# It writes one file (the bundle named by -OutFile) and changes nothing else.
#
# Read as a standard user (no elevation needed):
#   Get-AppLockerPolicy -Effective -Xml                       AppLocker policy in effect (windows.applocker)
#   Get-Service AppIDSvc                                      Application Identity service state
#   Get-ExecutionPolicy -List                                 execution policy per scope (windows.execution-policy)
#   $ExecutionContext.SessionState.LanguageMode               language mode of a standard user's session
#   HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment  __PSLockdownPolicy, PSExecutionPolicyPreference
#   Get-CimInstance root\\Microsoft\\Windows\\DeviceGuard Win32_DeviceGuard   WDAC / code integrity status (windows.wdac)
#   Get-LocalGroupMember -SID S-1-5-32-544                    local Administrators members (windows.local-admins)
#   Get-Command aws, az, gcloud, pwsh; Get-Module -ListAvailable Az.*   cloud CLIs and Az modules (windows.cloud-tools)
#   the current user's profile                                cloud credential files: paths and kinds only (windows.cloud-credentials)
#
# Needs an elevated (administrator) session:
#   Get-MpPreference                                          attack surface reduction rules (windows.defender); unelevated
#                                                             sessions may be refused or see no ASR rule ids
#   other users' profiles under C:\\Users                      cloud credential files of every user; unelevated, the
#                                                             profiles it cannot open are listed and become a gap
#
# Run it unelevated too when you can: the language mode a standard user gets is then observed, not derived.
`,
  };
}
