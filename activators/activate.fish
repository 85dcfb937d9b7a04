# Activates this virtual environment in fish: `source bin/activate.fish`.
# `deactivate` undoes everything it did; `deactivate nondestructive` does too but keeps the function.
# Written by mkvenv: every value below was quoted for fish when the environment was created.

# Restores what activation changed: _OLD_VIRTUAL_<NAME> holds a variable's old value, and _OLD_VIRTUAL_UNSET lists
# the ones that were unset, so an empty variable comes back empty and an unset one unset.
function deactivate -d 'Leave the virtual environment (with nondestructive: keep this function)'
    for name in PATH PYTHONHOME PKG_CONFIG_PATH TCL_LIBRARY TK_LIBRARY
        set -l old _OLD_VIRTUAL_$name
        if set -q $old
            if contains -- $name $_OLD_VIRTUAL_UNSET
                set -e -g $name
            else
                set -gx $name $$old
            end
            set -e -g $old
        end
    end
    if functions -q _old_fish_prompt
        functions -e fish_prompt
        functions -c _old_fish_prompt fish_prompt
        functions -e _old_fish_prompt
    else if set -q _OLD_VIRTUAL_PROMPT_NONE
        # There was no prompt function before: drop ours, fish falls back to its default.
        functions -e fish_prompt
    end
    set -e -g _OLD_VIRTUAL_PROMPT_NONE
    set -e -g _OLD_VIRTUAL_UNSET
    set -e -g VIRTUAL_ENV
    set -e -g VIRTUAL_ENV_PROMPT
    functions -e pydoc
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

# Another environment (or this one) may be active: start from the state before it.
deactivate nondestructive

set -gx VIRTUAL_ENV __VIRTUAL_ENV__
# Created on Windows and sourced in a Cygwin or MSYS2 fish: those want a /c/... path.
if string match -qr '^(?:[A-Za-z]:\\\\|\\\\\\\\)' -- $VIRTUAL_ENV; and command -q cygpath
    set -gx VIRTUAL_ENV (cygpath -u -- $VIRTUAL_ENV)
end

# Remember each variable about to change: its value, or that it was unset.
function _mkvenv_save -a name
    if set -q $name
        set -g _OLD_VIRTUAL_$name $$name
    else
        set -g _OLD_VIRTUAL_$name
        set -ga _OLD_VIRTUAL_UNSET $name
    end
end
_mkvenv_save PATH
_mkvenv_save PKG_CONFIG_PATH
if set -q PYTHONHOME
    _mkvenv_save PYTHONHOME
end

set -gx PATH "$VIRTUAL_ENV/"__BIN_NAME__ $PATH

# A PYTHONHOME would send the environment's interpreter to another installation's standard library.
set -e -g PYTHONHOME

# No empty entry (the current folder, for pkg-config) when there was none before.
if test -n "$PKG_CONFIG_PATH"
    set -gx PKG_CONFIG_PATH "$VIRTUAL_ENV/lib/pkgconfig" $PKG_CONFIG_PATH
else
    set -gx PKG_CONFIG_PATH "$VIRTUAL_ENV/lib/pkgconfig"
end

# Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
if test -n __TCL_LIBRARY__
    _mkvenv_save TCL_LIBRARY
    set -gx TCL_LIBRARY __TCL_LIBRARY__
end
if test -n __TK_LIBRARY__
    _mkvenv_save TK_LIBRARY
    set -gx TK_LIBRARY __TK_LIBRARY__
end
functions -e _mkvenv_save

set -gx VIRTUAL_ENV_PROMPT __VIRTUAL_PROMPT__
if test -z "$VIRTUAL_ENV_PROMPT"
    set -gx VIRTUAL_ENV_PROMPT (path basename -- $VIRTUAL_ENV)
end

function pydoc
    python -m pydoc $argv
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    if functions -q fish_prompt
        functions -c fish_prompt _old_fish_prompt
    else
        set -g _OLD_VIRTUAL_PROMPT_NONE 1
    end
    # Calls go through `builtin`: a user's function named printf, echo or source must not break the prompt.
    function fish_prompt
        set -l old_status $status
        builtin printf '(%s) ' $VIRTUAL_ENV_PROMPT
        if functions -q _old_fish_prompt
            # Give the old prompt the status of the last command, which it may show.
            builtin echo "exit $old_status" | builtin source
            _old_fish_prompt
        end
    end
end
