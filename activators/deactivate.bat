@REM Undoes Scripts\activate.bat: every variable it changed comes back as it was.
@if not defined _OLD_VIRTUAL_PATH goto :EOF

@set "PATH=%_OLD_VIRTUAL_PATH%"
@set _OLD_VIRTUAL_PATH=
@if defined _OLD_VIRTUAL_PYTHONHOME set "PYTHONHOME=%_OLD_VIRTUAL_PYTHONHOME%"
@set _OLD_VIRTUAL_PYTHONHOME=
@REM The other saved values start with a dot, so a variable that was unset is saved too (cmd has no empty ones).
@if defined _OLD_VIRTUAL_PKG_CONFIG_PATH set "PKG_CONFIG_PATH=%_OLD_VIRTUAL_PKG_CONFIG_PATH:~1%"
@set _OLD_VIRTUAL_PKG_CONFIG_PATH=
@if defined _OLD_VIRTUAL_TCL_LIBRARY set "TCL_LIBRARY=%_OLD_VIRTUAL_TCL_LIBRARY:~1%"
@set _OLD_VIRTUAL_TCL_LIBRARY=
@if defined _OLD_VIRTUAL_TK_LIBRARY set "TK_LIBRARY=%_OLD_VIRTUAL_TK_LIBRARY:~1%"
@set _OLD_VIRTUAL_TK_LIBRARY=
@if defined _OLD_VIRTUAL_PROMPT set "PROMPT=%_OLD_VIRTUAL_PROMPT%"
@set _OLD_VIRTUAL_PROMPT=
@set VIRTUAL_ENV=
@set VIRTUAL_ENV_PROMPT=
