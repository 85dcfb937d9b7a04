# Activates this virtual environment in sh, dash, bash, zsh, ksh and mksh. Source it, do not run it:
#     . bin/activate        (any of them)
#     source bin/activate   (bash, zsh, ksh)
# `deactivate` undoes everything it did; `deactivate nondestructive` does too but keeps the function.
# Written by mkvenv: every value below was quoted for sh when the environment was created.

if [ -n "${BASH_VERSION-}" ]; then
    [ "${BASH_SOURCE-}" != "$0" ]
elif [ -n "${ZSH_VERSION-}" ]; then
    case ${ZSH_EVAL_CONTEXT-} in *:file*) true ;; *) false ;; esac
else
    # dash, ksh and mksh keep the caller's $0 in a sourced file; in a ksh-style `function activate` it is the
    # function's name, so an interactive shell always counts as sourcing (executing never makes it interactive).
    [ "${0##*/}" != activate ] || case $- in *i*) true ;; *) false ;; esac
fi || {
    printf 'You must source this script: $ source %s\n' "$0" >&2
    exit 33
}

# Restores what activation changed: _OLD_VIRTUAL_<NAME> holds a variable's old value, and _OLD_VIRTUAL_UNSET lists
# the ones that were unset, so an empty variable comes back empty and an unset one unset.
deactivate () {
    unset -f pydoc >/dev/null 2>&1 || true
    for _venv_name in PATH PYTHONHOME PKG_CONFIG_PATH TCL_LIBRARY TK_LIBRARY PS1; do
        if eval "[ -n \"\${_OLD_VIRTUAL_$_venv_name+x}\" ]"; then
            case " ${_OLD_VIRTUAL_UNSET-} " in
                *" $_venv_name "*) unset "$_venv_name" ;;
                *)
                    eval "$_venv_name=\$_OLD_VIRTUAL_$_venv_name"
                    # The prompt is the shell's own: exporting it would leak it into every program started.
                    [ "$_venv_name" = PS1 ] || export "$_venv_name"
                    ;;
            esac
            unset "_OLD_VIRTUAL_$_venv_name"
        fi
    done
    unset _venv_name _OLD_VIRTUAL_UNSET VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    # Forget the paths of commands found in the environment's bin folder.
    hash -r 2>/dev/null || true
    if [ "${1-}" != nondestructive ]; then
        unset -f deactivate
    fi
}

# Another environment (or this one) may be active: start from the state before it.
deactivate nondestructive

VIRTUAL_ENV=__VIRTUAL_ENV__
case $VIRTUAL_ENV in
    # Created on Windows and sourced in Git Bash, MSYS2 or Cygwin: their shells want a /c/... path.
    [A-Za-z]:\\* | \\\\*)
        if command -v cygpath >/dev/null 2>&1; then
            VIRTUAL_ENV=$(cygpath -u -- "$VIRTUAL_ENV")
        fi
        ;;
esac
if [ ! -d "$VIRTUAL_ENV" ]; then
    # The environment was moved: bash and zsh know where this file is, so use its parent folder.
    _venv_script=
    if [ -n "${BASH_VERSION-}" ]; then
        _venv_script=${BASH_SOURCE-}
    elif [ -n "${ZSH_VERSION-}" ]; then
        eval '_venv_script=${(%):-%x}'
    fi
    if [ -n "$_venv_script" ]; then
        printf 'Virtual environment directory '\''%s'\'' does not exist!\n' "$VIRTUAL_ENV" >&2
        case $_venv_script in */*) _venv_script=${_venv_script%/*} ;; *) _venv_script=. ;; esac
        # The x keeps a trailing newline of the folder's name from being stripped.
        VIRTUAL_ENV=$(CDPATH= cd -- "$_venv_script/.." && pwd -P && printf x)
        VIRTUAL_ENV=${VIRTUAL_ENV%?x}
    fi
    unset _venv_script
fi
export VIRTUAL_ENV

# Remember each variable about to change: its value, or that it was unset.
for _venv_name in PATH PKG_CONFIG_PATH PYTHONHOME; do
    if eval "[ -n \"\${$_venv_name+x}\" ]"; then
        eval "_OLD_VIRTUAL_$_venv_name=\$$_venv_name"
    elif [ "$_venv_name" != PYTHONHOME ]; then
        eval "_OLD_VIRTUAL_$_venv_name="
        _OLD_VIRTUAL_UNSET="${_OLD_VIRTUAL_UNSET-} $_venv_name"
    fi
done

PATH="$VIRTUAL_ENV/"__BIN_NAME__"${PATH:+:$PATH}"
export PATH

# A PYTHONHOME would send the environment's interpreter to another installation's standard library.
unset PYTHONHOME

PKG_CONFIG_PATH="$VIRTUAL_ENV/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH

# Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
if [ -n __TCL_LIBRARY__ ]; then
    if [ -n "${TCL_LIBRARY+x}" ]; then
        _OLD_VIRTUAL_TCL_LIBRARY=$TCL_LIBRARY
    else
        _OLD_VIRTUAL_TCL_LIBRARY=
        _OLD_VIRTUAL_UNSET="${_OLD_VIRTUAL_UNSET-} TCL_LIBRARY"
    fi
    TCL_LIBRARY=__TCL_LIBRARY__
    export TCL_LIBRARY
fi
if [ -n __TK_LIBRARY__ ]; then
    if [ -n "${TK_LIBRARY+x}" ]; then
        _OLD_VIRTUAL_TK_LIBRARY=$TK_LIBRARY
    else
        _OLD_VIRTUAL_TK_LIBRARY=
        _OLD_VIRTUAL_UNSET="${_OLD_VIRTUAL_UNSET-} TK_LIBRARY"
    fi
    TK_LIBRARY=__TK_LIBRARY__
    export TK_LIBRARY
fi

VIRTUAL_ENV_PROMPT=__VIRTUAL_PROMPT__
if [ -z "$VIRTUAL_ENV_PROMPT" ]; then
    VIRTUAL_ENV_PROMPT=${VIRTUAL_ENV##*/}
fi
export VIRTUAL_ENV_PROMPT

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT-}" ]; then
    if [ -n "${PS1+x}" ]; then
        _OLD_VIRTUAL_PS1=$PS1
    else
        _OLD_VIRTUAL_PS1=
        _OLD_VIRTUAL_UNSET="${_OLD_VIRTUAL_UNSET-} PS1"
    fi
    # Shells expand parts of PS1 each time they show it. The name must show as it is and run nothing, so the
    # characters this shell would expand are escaped: those in _venv_escaped get _venv_escape before them, those in
    # _venv_doubled are written twice.
    _venv_escaped='\$`' _venv_escape='\' _venv_doubled=
    if [ -n "${BASH_VERSION-}" ]; then
        # bash first decodes its own backslash sequences (\\ is one backslash), then, with promptvars, expands the
        # result as in double quotes: a backslash must come out of the first step escaped for the second.
        if shopt -q promptvars 2>/dev/null; then
            _venv_escape='\\' _venv_doubled='\'
        else
            _venv_escaped='\'
        fi
        if shopt -oq posix 2>/dev/null; then _venv_doubled=$_venv_doubled'!'; fi
    elif [ -n "${ZSH_VERSION-}" ]; then
        _venv_escaped= _venv_doubled=
        if [[ -o promptsubst ]]; then _venv_escaped='\$`'; fi
        if [[ -o promptpercent ]]; then _venv_doubled=%; fi
        if [[ -o promptbang ]]; then _venv_doubled=$_venv_doubled'!'; fi
    elif [ -n "${KSH_VERSION-}" ]; then
        # ksh93 and mksh: `!` is the history number. ksh93 also removes quotes as from a command's word.
        _venv_escaped='\$`"' _venv_doubled='!'
        case $KSH_VERSION in *MIRBSD* | *PD\ KSH*) ;; *) _venv_escaped="$_venv_escaped'" ;; esac
    fi
    _venv_rest=$VIRTUAL_ENV_PROMPT _venv_shown=
    while [ -n "$_venv_rest" ]; do
        _venv_next=${_venv_rest#?}
        _venv_char=${_venv_rest%"$_venv_next"}
        case $_venv_escaped in *"$_venv_char"*) _venv_shown=$_venv_shown$_venv_escape ;; esac
        case $_venv_doubled in *"$_venv_char"*) _venv_shown=$_venv_shown$_venv_char ;; esac
        _venv_shown=$_venv_shown$_venv_char
        _venv_rest=$_venv_next
    done
    PS1="(${_venv_shown}) ${PS1-}"
    unset _venv_escaped _venv_escape _venv_doubled _venv_rest _venv_next _venv_char _venv_shown
fi

unalias pydoc 2>/dev/null || true
pydoc () {
    python -m pydoc "$@"
}

unset _venv_name
# Forget the paths of commands found before the environment's bin folder came first.
hash -r 2>/dev/null || true
