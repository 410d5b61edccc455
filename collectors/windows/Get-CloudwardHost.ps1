<#
.SYNOPSIS
    Collects what cloudward needs to judge a Windows host against ATT&CK M1038 / M1026, read-only, into one JSON bundle.

.DESCRIPTION
    Reads the effective AppLocker policy, the Application Identity service, PowerShell execution policies and
    language mode, WDAC / Device Guard status, Defender attack surface reduction rules, the local Administrators
    group, installed cloud CLIs and Az modules, and cloud credential files in user profiles (path and kind only:
    a file's content is classified here and never written out).

    The script changes nothing on the host. It writes one file, the bundle named by -OutFile. Each part that
    cannot be read becomes a gap in the bundle (cloudward then reports the checks that need it as unknown).

    Runs as a standard user. Elevated, it can also read Get-MpPreference and every user's profile; unelevated,
    it observes the language mode a standard user really gets. Windows PowerShell 5.1 and PowerShell 7 both work,
    and it keeps to cmdlets so it still runs in Constrained Language Mode.

.PARAMETER OutFile
    Where to write the bundle. Default: .\<computer name>.cloudward.json

.EXAMPLE
    powershell.exe -NoProfile -File .\Get-CloudwardHost.ps1 -OutFile \\share\audit\JUMP-01.json
    cloudward import windows \\share\audit\JUMP-01.json --output hosts.json
#>
[CmdletBinding()]
param(
    [string] $OutFile = (Join-Path (Get-Location) ("{0}.cloudward.json" -f $env:COMPUTERNAME))
)

$ErrorActionPreference = 'Stop'
$collectorVersion = '0.1.0'
# Windows PowerShell 5.1 serializes some arrays as {"value": [...], "Count": n}; this session-only change stops it.
Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue
$script:documents = @()
$script:gaps = @()

function Add-Document([string] $Kind, [string] $Origin, $Body) {
    $script:documents += [pscustomobject] @{ kind = $Kind; origin = $Origin; body = $Body }
}

function Add-Gap([string] $What, [string] $Call, $ErrorRecord) {
    $reason = "$Call failed: $($ErrorRecord.Exception.Message)" -replace '\s+', ' '
    $script:gaps += [pscustomobject] @{ what = $What; reason = $reason.Trim(); call = $Call }
}

# --- who runs this: elevation decides which facts are observed and which are derived --------------------------
# A High or System integrity level means an elevated token; an unelevated administrator is filtered like a user
# (its Administrators SID is deny-only), so AppLocker and PowerShell treat it as a standard user.
$whoami = ''
try { $whoami = (whoami.exe /groups) -join "`n" } catch { }
$elevated = $whoami -match 'S-1-16-12288|S-1-16-16384'
$isAdmin = $elevated
$userName = "$env:USERDOMAIN\$env:USERNAME"

# --- host ------------------------------------------------------------------------------------------------------
try {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem
    Add-Document 'windows.host-info' 'Get-CimInstance Win32_OperatingSystem' ([pscustomobject] @{
            ComputerName = $env:COMPUTERNAME; Domain = $cs.Domain; OsCaption = $os.Caption; OsVersion = $os.Version; ProductType = [int] $os.ProductType
        })
} catch { Add-Gap 'windows.host-info' 'Get-CimInstance Win32_OperatingSystem' $_ }

# --- PowerShell: language mode, lockdown policy, execution policies -------------------------------------------
$machineEnv = 'HKLM:\SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
$lockdown = $null
$machinePreference = $null
try {
    $envKey = Get-ItemProperty -Path $machineEnv
    $lockdown = $envKey.__PSLockdownPolicy
    $machinePreference = $envKey.PSExecutionPolicyPreference
} catch { }
Add-Document 'windows.language-mode' '$ExecutionContext.SessionState.LanguageMode' ([pscustomobject] @{
        LanguageMode = "$($ExecutionContext.SessionState.LanguageMode)"; PSLockdownPolicy = $(if ($null -ne $lockdown) { "$lockdown" } else { $null })
        UserName = $userName; Elevated = $elevated; IsAdmin = $isAdmin; PSVersion = "$($PSVersionTable.PSVersion)"
    })

try {
    $rows = foreach ($row in Get-ExecutionPolicy -List) {
        $policy = "$($row.ExecutionPolicy)"
        # The Process scope is this collector's own session (often started with -ExecutionPolicy Bypass);
        # a new session gets only what the machine environment sets.
        if ("$($row.Scope)" -eq 'Process') { $policy = $(if ($machinePreference) { "$machinePreference" } else { 'Undefined' }) }
        [pscustomobject] @{ Scope = "$($row.Scope)"; ExecutionPolicy = $policy }
    }
    Add-Document 'windows.execution-policy' 'Get-ExecutionPolicy -List' @($rows)
} catch { Add-Gap 'windows.execution-policy' 'Get-ExecutionPolicy -List' $_ }

# --- AppLocker -------------------------------------------------------------------------------------------------
try {
    $xml = Get-AppLockerPolicy -Effective -Xml
    Add-Document 'windows.applocker-xml' 'Get-AppLockerPolicy -Effective -Xml' "$xml"
} catch { Add-Gap 'windows.applocker' 'Get-AppLockerPolicy -Effective -Xml' $_ }
try {
    $svc = Get-Service -Name AppIDSvc
    Add-Document 'windows.appidsvc' 'Get-Service AppIDSvc' ([pscustomobject] @{ Name = $svc.Name; Status = "$($svc.Status)"; StartType = "$($svc.StartType)" })
} catch { }

# --- WDAC / Device Guard ---------------------------------------------------------------------------------------
try {
    $dg = Get-CimInstance -Namespace 'root\Microsoft\Windows\DeviceGuard' -ClassName Win32_DeviceGuard
    Add-Document 'windows.device-guard' 'Get-CimInstance -Namespace root\Microsoft\Windows\DeviceGuard -ClassName Win32_DeviceGuard' ([pscustomobject] @{
            CodeIntegrityPolicyEnforcementStatus = $dg.CodeIntegrityPolicyEnforcementStatus
            UsermodeCodeIntegrityPolicyEnforcementStatus = $dg.UsermodeCodeIntegrityPolicyEnforcementStatus
        })
} catch { Add-Gap 'windows.wdac' 'Get-CimInstance Win32_DeviceGuard' $_ }

# --- Defender attack surface reduction (only the ASR fields are kept) ------------------------------------------
try {
    $mp = Get-MpPreference
    Add-Document 'windows.mp-preference' 'Get-MpPreference' ([pscustomobject] @{
            AttackSurfaceReductionRules_Ids = @($mp.AttackSurfaceReductionRules_Ids | Where-Object { $_ })
            AttackSurfaceReductionRules_Actions = @($mp.AttackSurfaceReductionRules_Actions | ForEach-Object { [int] $_ })
        })
} catch { Add-Gap 'windows.defender' 'Get-MpPreference' $_ }

# --- local Administrators (by SID, so localized group names work) ----------------------------------------------
try {
    $members = foreach ($m in Get-LocalGroupMember -SID 'S-1-5-32-544') {
        [pscustomobject] @{ Name = $m.Name; SID = "$($m.SID)"; PrincipalSource = "$($m.PrincipalSource)"; ObjectClass = $m.ObjectClass }
    }
    Add-Document 'windows.local-admins' 'Get-LocalGroupMember -SID S-1-5-32-544' @($members)
} catch {
    # Get-LocalGroupMember fails on orphaned SIDs; net.exe still lists the names.
    try {
        $lines = @(net.exe localgroup Administrators)
        $names = $lines | Select-Object -Skip 6 | Where-Object { $_ -and $_ -notmatch '^The command completed' }
        Add-Document 'windows.local-admins' 'net localgroup Administrators' @($names | ForEach-Object { [pscustomobject] @{ Name = "$_".Trim(); PrincipalSource = 'Unknown'; ObjectClass = 'Unknown' } })
    } catch { Add-Gap 'windows.local-admins' 'Get-LocalGroupMember -SID S-1-5-32-544' $_ }
}

# --- cloud CLIs and Az modules ----------------------------------------------------------------------------------
try {
    $tools = @()
    foreach ($name in 'aws', 'az', 'gcloud', 'pwsh') {
        $cmd = Get-Command -Name $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($cmd) { $tools += ([pscustomobject] @{ Tool = $name; Path = $cmd.Source; Version = $(if ($cmd.Version -and "$($cmd.Version)" -ne '0.0.0.0') { "$($cmd.Version)" } else { $null }) }) }
    }
    foreach ($module in 'Az.Accounts', 'AzureAD', 'Microsoft.Graph.Authentication', 'AWS.Tools.Common', 'AWSPowerShell.NetCore') {
        $found = Get-Module -ListAvailable -Name $module -ErrorAction SilentlyContinue | Sort-Object Version -Descending | Select-Object -First 1
        if ($found) {
            $tool = switch ($module) { 'Az.Accounts' { 'az-powershell' } 'AzureAD' { 'azuread-powershell' } 'Microsoft.Graph.Authentication' { 'graph-powershell' } default { 'aws-powershell' } }
            $tools += [pscustomobject] @{ Tool = $tool; Path = $found.ModuleBase; Version = "$($found.Version)" }
        }
    }
    Add-Document 'windows.cloud-tools' 'Get-Command; Get-Module -ListAvailable' @($tools)
} catch { Add-Gap 'windows.cloud-tools' 'Get-Command' $_ }

# --- cloud credential files: classified here, only path and kind leave the host --------------------------------
function Get-AwsKind([string] $Text) {
    $found = @()
    foreach ($section in ($Text -split '(?m)^\s*\[')) {
        if ($section -notmatch '(?m)^\s*aws_access_key_id\s*=') { continue }
        $profileName = ($section -split '\]')[0] -replace '^profile\s+', ''
        $kind = $(if ($section -match '(?m)^\s*aws_(session|security)_token\s*=') { 'short-lived' } else { 'long-lived' })
        $found += [pscustomobject] @{ Kind = $kind; Profile = $profileName.Trim() }
    }
    return $found
}

try {
    $files = @()
    $unreadable = @()
    $profiles = Get-ChildItem -Path (Join-Path $env:SystemDrive 'Users') -Directory -Force -ErrorAction SilentlyContinue |
        Where-Object { $_.Name -notin @('Public', 'Default', 'Default User', 'All Users') -and "$($_.Attributes)" -notmatch 'ReparsePoint' }
    foreach ($p in $profiles) {
        $profileDir = $p.FullName
        try { $null = Get-ChildItem -LiteralPath $profileDir -Force -ErrorAction Stop | Select-Object -First 1 } catch { $unreadable += $profileDir; continue }
        $aws = Join-Path $profileDir '.aws\credentials'
        if (Test-Path -LiteralPath $aws -PathType Leaf) {
            try {
                $groupsByKind = Get-AwsKind (Get-Content -LiteralPath $aws -Raw) | Group-Object Kind
                foreach ($g in $groupsByKind) {
                    $detail = $(if ($g.Name -eq 'long-lived') { 'static access key in profile(s) ' } else { 'session credentials in profile(s) ' }) + (($g.Group | ForEach-Object { $_.Profile }) -join ', ')
                    $files += [pscustomobject] @{ Tool = 'aws'; Path = $aws; Kind = $g.Name; Detail = $detail }
                }
            } catch { $unreadable += $aws }
        }
        foreach ($adc in @((Join-Path $profileDir 'AppData\Roaming\gcloud\application_default_credentials.json')) + @(Get-ChildItem -Path (Join-Path $profileDir 'AppData\Roaming\gcloud\legacy_credentials\*\adc.json') -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })) {
            if (-not (Test-Path -LiteralPath $adc -PathType Leaf)) { continue }
            try {
                $type = (Get-Content -LiteralPath $adc -Raw | ConvertFrom-Json).type
                $kind = $(if ($type -in @('external_account', 'external_account_authorized_user')) { 'short-lived' } else { 'long-lived' })
                $files += [pscustomobject] @{ Tool = 'gcloud'; Path = $adc; Kind = $kind; Detail = "$type credentials" }
            } catch { $unreadable += $adc }
        }
        $gcloudDb = Join-Path $profileDir 'AppData\Roaming\gcloud\credentials.db'
        if (Test-Path -LiteralPath $gcloudDb -PathType Leaf) { $files += [pscustomobject] @{ Tool = 'gcloud'; Path = $gcloudDb; Kind = 'long-lived'; Detail = 'gcloud credential store (refresh tokens or service account keys)' } }
        foreach ($name in 'msal_token_cache.bin', 'msal_token_cache.json') {
            $cache = Join-Path $profileDir ".azure\$name"
            if (Test-Path -LiteralPath $cache -PathType Leaf) { $files += [pscustomobject] @{ Tool = 'az'; Path = $cache; Kind = 'long-lived'; Detail = 'refresh tokens (MSAL token cache)' } }
        }
        foreach ($name in 'service_principal_entries.bin', 'service_principal_entries.json') {
            $sp = Join-Path $profileDir ".azure\$name"
            if (Test-Path -LiteralPath $sp -PathType Leaf) { $files += [pscustomobject] @{ Tool = 'az'; Path = $sp; Kind = 'long-lived'; Detail = 'service principal secret or certificate' } }
        }
        $azPs = Join-Path $profileDir 'AppData\Local\.IdentityService\msal.cache'
        if (Test-Path -LiteralPath $azPs -PathType Leaf) { $files += [pscustomobject] @{ Tool = 'az-powershell'; Path = $azPs; Kind = 'long-lived'; Detail = 'refresh tokens (Az PowerShell token cache)' } }
    }
    Add-Document 'windows.cloud-credentials' "$env:SystemDrive\Users\*" ([pscustomobject] @{ Files = @($files); UnreadableProfiles = @($unreadable) })
} catch { Add-Gap 'windows.cloud-credentials' "Get-ChildItem $env:SystemDrive\Users" $_ }

# --- the bundle ------------------------------------------------------------------------------------------------
$bundle = [pscustomobject] @{
    format = 'cloudward-host-bundle'
    formatVersion = 1
    provider = 'windows'
    scope = [pscustomobject] @{ kind = 'host'; id = $env:COMPUTERNAME.ToLowerInvariant(); name = $env:COMPUTERNAME }
    method = 'live'
    collectedAt = (Get-Date).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")
    collector = [pscustomobject] @{ name = 'Get-CloudwardHost.ps1'; version = $collectorVersion; user = $userName; elevated = $elevated }
    documents = @($documents)
    gaps = @($gaps)
}
$json = $bundle | ConvertTo-Json -Depth 8
Set-Content -LiteralPath $OutFile -Value $json -Encoding UTF8
Write-Host ("cloudward: wrote {0} ({1} documents, {2} gaps)" -f $OutFile, $documents.Count, $gaps.Count)
