# Activates this virtual environment in csh and tcsh: `source bin/activate.csh`.
# `deactivate` undoes everything it did; `deactivate nondestructive` (tcsh) does too but keeps the alias.
# Written by mkvenv: every value below was quoted for csh when the environment was created. Values are used as
# $name:q outside double quotes: inside them csh would take a backslash before a newline for a line continuation.

# Another environment (or this one) may be active: start from the state before it.
if ( $?_OLD_VIRTUAL_PATH ) then
    source __DEACTIVATE_CSH__
endif

alias deactivate 'source $VIRTUAL_ENV:q/bin/deactivate.csh \!*'

setenv VIRTUAL_ENV __VIRTUAL_ENV__

# Remember each variable about to change: its value, or (in _OLD_VIRTUAL_UNSET) that it was unset.
set _OLD_VIRTUAL_UNSET = ' '
if ( $?PATH ) then
    set _OLD_VIRTUAL_PATH = $PATH:q
else
    set _OLD_VIRTUAL_PATH = ''
    set _OLD_VIRTUAL_UNSET = "$_OLD_VIRTUAL_UNSET"'PATH '
endif
setenv PATH $VIRTUAL_ENV:q/__BIN_NAME__:$_OLD_VIRTUAL_PATH:q

# A PYTHONHOME would send the environment's interpreter to another installation's standard library.
if ( $?PYTHONHOME ) then
    set _OLD_VIRTUAL_PYTHONHOME = $PYTHONHOME:q
    unsetenv PYTHONHOME
endif

# No empty entry (the current folder, for pkg-config) when there was none before.
if ( $?PKG_CONFIG_PATH ) then
    set _OLD_VIRTUAL_PKG_CONFIG_PATH = $PKG_CONFIG_PATH:q
    if ( $%PKG_CONFIG_PATH ) then
        setenv PKG_CONFIG_PATH $VIRTUAL_ENV:q/lib/pkgconfig:$PKG_CONFIG_PATH:q
    else
        setenv PKG_CONFIG_PATH $VIRTUAL_ENV:q/lib/pkgconfig
    endif
else
    set _OLD_VIRTUAL_PKG_CONFIG_PATH = ''
    set _OLD_VIRTUAL_UNSET = "$_OLD_VIRTUAL_UNSET"'PKG_CONFIG_PATH '
    setenv PKG_CONFIG_PATH $VIRTUAL_ENV:q/lib/pkgconfig
endif

# Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
set _venv_library = __TCL_LIBRARY__
if ( $%_venv_library ) then
    if ( $?TCL_LIBRARY ) then
        set _OLD_VIRTUAL_TCL_LIBRARY = $TCL_LIBRARY:q
    else
        set _OLD_VIRTUAL_TCL_LIBRARY = ''
        set _OLD_VIRTUAL_UNSET = "$_OLD_VIRTUAL_UNSET"'TCL_LIBRARY '
    endif
    setenv TCL_LIBRARY $_venv_library:q
endif
set _venv_library = __TK_LIBRARY__
if ( $%_venv_library ) then
    if ( $?TK_LIBRARY ) then
        set _OLD_VIRTUAL_TK_LIBRARY = $TK_LIBRARY:q
    else
        set _OLD_VIRTUAL_TK_LIBRARY = ''
        set _OLD_VIRTUAL_UNSET = "$_OLD_VIRTUAL_UNSET"'TK_LIBRARY '
    endif
    setenv TK_LIBRARY $_venv_library:q
endif
unset _venv_library

setenv VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__

# Only an interactive shell has a prompt. The name was escaped for each shell's prompt when the script was made:
# tcsh expands %, ! and backslashes there, csh only !.
set _venv_prompt_on = 1
if ( $?VIRTUAL_ENV_DISABLE_PROMPT ) then
    if ( $%VIRTUAL_ENV_DISABLE_PROMPT ) set _venv_prompt_on = 0
endif
if ( $?prompt && $_venv_prompt_on ) then
    set _OLD_VIRTUAL_PROMPT = $prompt:q
    if ( $?tcsh ) then
        set prompt = __PROMPT_TCSH__$prompt:q
    else
        set prompt = __PROMPT_CSH__$prompt:q
    endif
endif
unset _venv_prompt_on

alias pydoc python -m pydoc

# Forget the paths of commands found before the environment's bin folder came first.
rehash
