# Activates this virtual environment in PowerShell: `. Scripts\activate.ps1` (Windows) or `. bin/activate.ps1`.
# `deactivate` undoes everything it did; `deactivate -NonDestructive` does too but keeps the function.
#
# -VenvDir: the environment's folder (default: the folder above this script's, so a moved environment still works).
# -Prompt: the name shown before the prompt (default: the one chosen when the environment was made, else the
# environment folder's name).
#
# Written by mkvenv: every value below was quoted for PowerShell (single quotes) when the environment was made.
# The file starts with a byte-order mark: Windows PowerShell reads a script without one in the ANSI code page.
[CmdletBinding()]
param(
    [Parameter(Mandatory = $false)]
    [String]
    $VenvDir,
    [Parameter(Mandatory = $false)]
    [String]
    $Prompt
)

function global:deactivate([Switch] $NonDestructive) {
    # A saved value of $null means the variable was unset (PowerShell has no empty environment variables).
    foreach ($name in 'PATH', 'PYTHONHOME', 'PKG_CONFIG_PATH', 'TCL_LIBRARY', 'TK_LIBRARY') {
        $saved = Get-Variable -Name "_OLD_VIRTUAL_$name" -Scope Global -ErrorAction SilentlyContinue
        if ($null -ne $saved) {
            if ($null -eq $saved.Value) {
                Remove-Item -LiteralPath "env:$name" -ErrorAction SilentlyContinue
            } else {
                Set-Item -LiteralPath "env:$name" -Value $saved.Value
            }
            Remove-Variable -Name "_OLD_VIRTUAL_$name" -Scope Global
        }
    }
    if (Test-Path -LiteralPath function:global:_old_virtual_prompt) {
        ${function:global:prompt} = ${function:global:_old_virtual_prompt}
        Remove-Item -LiteralPath function:global:_old_virtual_prompt
    }
    Remove-Variable -Name _PYTHON_VENV_PROMPT_PREFIX -Scope Global -Force -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (-not $NonDestructive) {
        Remove-Item -LiteralPath function:global:deactivate
        Remove-Item -LiteralPath function:global:pydoc -ErrorAction SilentlyContinue
    }
}

# Another environment (or this one) may be active: start from the state before it.
deactivate -NonDestructive

if (-not $VenvDir) {
    $VenvDir = Split-Path -Parent -Path $PSScriptRoot
}
$VenvDir = (Resolve-Path -LiteralPath $VenvDir).ProviderPath
if (-not $Prompt) {
    $Prompt = __VIRTUAL_PROMPT__
}
if (-not $Prompt) {
    $Prompt = Split-Path -Leaf -Path $VenvDir
}

# Remember each variable about to change ($null: it was unset).
function _mkvenv_save([String] $Name) {
    Set-Variable -Name "_OLD_VIRTUAL_$Name" -Scope Global -Value ([Environment]::GetEnvironmentVariable($Name))
}

$env:VIRTUAL_ENV = $VenvDir
$env:VIRTUAL_ENV_PROMPT = $Prompt

_mkvenv_save 'PATH'
$env:PATH = (Join-Path -Path $VenvDir -ChildPath __BIN_NAME__) + __PATH_SEP__ + $env:PATH

# A PYTHONHOME would send the environment's interpreter to another installation's standard library.
if (Test-Path -LiteralPath env:PYTHONHOME) {
    _mkvenv_save 'PYTHONHOME'
    Remove-Item -LiteralPath env:PYTHONHOME
}

# No empty entry (the current folder, for pkg-config) when there was none before.
_mkvenv_save 'PKG_CONFIG_PATH'
$pkgConfig = [IO.Path]::Combine($VenvDir, 'lib', 'pkgconfig')
if ($env:PKG_CONFIG_PATH) {
    $env:PKG_CONFIG_PATH = $pkgConfig + __PATH_SEP__ + $env:PKG_CONFIG_PATH
} else {
    $env:PKG_CONFIG_PATH = $pkgConfig
}

# Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
$tclLibrary = __TCL_LIBRARY__
if ($tclLibrary) {
    _mkvenv_save 'TCL_LIBRARY'
    $env:TCL_LIBRARY = $tclLibrary
}
$tkLibrary = __TK_LIBRARY__
if ($tkLibrary) {
    _mkvenv_save 'TK_LIBRARY'
    $env:TK_LIBRARY = $tkLibrary
}
Remove-Item -LiteralPath function:_mkvenv_save

function global:pydoc {
    & python -m pydoc $args
}

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    # The prompt prints the name with Write-Host: nothing in it is code.
    $global:_PYTHON_VENV_PROMPT_PREFIX = "($Prompt) "
    if (Test-Path -LiteralPath function:global:prompt) {
        ${function:global:_old_virtual_prompt} = ${function:global:prompt}
    } else {
        function global:_old_virtual_prompt { "PS $($executionContext.SessionState.Path.CurrentLocation)> " }
    }
    function global:prompt {
        Write-Host -NoNewline -ForegroundColor Green $global:_PYTHON_VENV_PROMPT_PREFIX
        _old_virtual_prompt
    }
}
