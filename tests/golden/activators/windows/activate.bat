@REM Activates this virtual environment in cmd: run Scripts\activate.bat. `deactivate` undoes it.
@REM Written by mkvenv: every value below was escaped for cmd when the environment was created, and sits inside
@REM double quotes, where & | < > ^ ( ) are plain characters. Only ASCII comes before the switch to UTF-8.

@REM This file is UTF-8: read the rest with code page 65001, and switch back at the end.
@for /f "tokens=2 delims=:." %%a in ('"%SystemRoot%\System32\chcp.com"') do @set "_OLD_CODEPAGE=%%a"
@if defined _OLD_CODEPAGE "%SystemRoot%\System32\chcp.com" 65001 > nul

@REM Another environment (or this one) may be active: start from the state before it. This is deactivate.bat's
@REM work, done here because `call` would expand any % in the path a second time.
@if not defined _OLD_VIRTUAL_PATH goto :activate
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
:activate

@set "VIRTUAL_ENV=C:\Users\me\e 'q $(touch pwned) `x`;&%%PATH%%!^()[]{}=,@#~ ‘’‚‛ èрт🚒♞中片"
@set "VIRTUAL_ENV_PROMPT=p 'q' $(touch pwned) %%PATH%% %%%% !x! ^& | < > $P$G ‘’  èрт"

@set "_OLD_VIRTUAL_PATH=%PATH%"
@set "PATH=%VIRTUAL_ENV%\Scripts;%PATH%"

@REM A PYTHONHOME would send the environment's interpreter to another installation's standard library.
@if defined PYTHONHOME set "_OLD_VIRTUAL_PYTHONHOME=%PYTHONHOME%"
@set PYTHONHOME=

@set "_OLD_VIRTUAL_PKG_CONFIG_PATH=.%PKG_CONFIG_PATH%"
@if defined PKG_CONFIG_PATH (set "PKG_CONFIG_PATH=%VIRTUAL_ENV%\lib\pkgconfig;%PKG_CONFIG_PATH%") else (set "PKG_CONFIG_PATH=%VIRTUAL_ENV%\lib\pkgconfig")

@REM Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
@set "_MKVENV_LIBRARY=C:\Users\me\e 'q $(touch pwned) `x`;&%%PATH%%!^()[]{}=,@#~ ‘’‚‛ èрт🚒♞中片\..\tcl\tcl8.6"
@if defined _MKVENV_LIBRARY set "_OLD_VIRTUAL_TCL_LIBRARY=.%TCL_LIBRARY%"
@if defined _MKVENV_LIBRARY set "TCL_LIBRARY=%_MKVENV_LIBRARY%"
@set "_MKVENV_LIBRARY=C:\Python312\tcl\tk8.6"
@if defined _MKVENV_LIBRARY set "_OLD_VIRTUAL_TK_LIBRARY=.%TK_LIBRARY%"
@if defined _MKVENV_LIBRARY set "TK_LIBRARY=%_MKVENV_LIBRARY%"
@set _MKVENV_LIBRARY=

@REM In PROMPT, $ starts a code ($P is the folder): the name was written with $$ for each $ it holds.
@if defined VIRTUAL_ENV_DISABLE_PROMPT goto :prompt_done
@if not defined PROMPT set "PROMPT=$P$G"
@set "_OLD_VIRTUAL_PROMPT=%PROMPT%"
@set "PROMPT=(p 'q' $$(touch pwned) %%PATH%% %%%% !x! ^& | < > $$P$$G ‘’  èрт) %PROMPT%"
:prompt_done

@if defined _OLD_CODEPAGE "%SystemRoot%\System32\chcp.com" %_OLD_CODEPAGE% > nul
@set _OLD_CODEPAGE=
