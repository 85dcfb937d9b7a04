# Undoes `source bin/activate.csh`: the `deactivate` alias sources this file. With the argument nondestructive
# (tcsh) the alias stays. _OLD_VIRTUAL_<NAME> holds a variable's old value, and _OLD_VIRTUAL_UNSET names the ones
# that were unset, so an empty variable comes back empty and an unset one unset.

if ( ! $?_OLD_VIRTUAL_UNSET ) set _OLD_VIRTUAL_UNSET = ' '

if ( $?_OLD_VIRTUAL_PATH ) then
    if ( "$_OLD_VIRTUAL_UNSET" =~ *' PATH '* ) then
        unsetenv PATH
    else
        setenv PATH $_OLD_VIRTUAL_PATH:q
    endif
    unset _OLD_VIRTUAL_PATH
endif
if ( $?_OLD_VIRTUAL_PYTHONHOME ) then
    setenv PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME:q
    unset _OLD_VIRTUAL_PYTHONHOME
endif
if ( $?_OLD_VIRTUAL_PKG_CONFIG_PATH ) then
    if ( "$_OLD_VIRTUAL_UNSET" =~ *' PKG_CONFIG_PATH '* ) then
        unsetenv PKG_CONFIG_PATH
    else
        setenv PKG_CONFIG_PATH $_OLD_VIRTUAL_PKG_CONFIG_PATH:q
    endif
    unset _OLD_VIRTUAL_PKG_CONFIG_PATH
endif
if ( $?_OLD_VIRTUAL_TCL_LIBRARY ) then
    if ( "$_OLD_VIRTUAL_UNSET" =~ *' TCL_LIBRARY '* ) then
        unsetenv TCL_LIBRARY
    else
        setenv TCL_LIBRARY $_OLD_VIRTUAL_TCL_LIBRARY:q
    endif
    unset _OLD_VIRTUAL_TCL_LIBRARY
endif
if ( $?_OLD_VIRTUAL_TK_LIBRARY ) then
    if ( "$_OLD_VIRTUAL_UNSET" =~ *' TK_LIBRARY '* ) then
        unsetenv TK_LIBRARY
    else
        setenv TK_LIBRARY $_OLD_VIRTUAL_TK_LIBRARY:q
    endif
    unset _OLD_VIRTUAL_TK_LIBRARY
endif
if ( $?_OLD_VIRTUAL_PROMPT ) then
    set prompt = $_OLD_VIRTUAL_PROMPT:q
    unset _OLD_VIRTUAL_PROMPT
endif
unset _OLD_VIRTUAL_UNSET
if ( $?VIRTUAL_ENV ) unsetenv VIRTUAL_ENV
if ( $?VIRTUAL_ENV_PROMPT ) unsetenv VIRTUAL_ENV_PROMPT
unalias pydoc

# Forget the paths of commands found in the environment's bin folder.
rehash

if ( "$argv:q" != nondestructive ) unalias deactivate
