# Activates this virtual environment in nushell (0.106 or later) as an overlay: `overlay use bin/activate.nu`.
# `deactivate` hides the overlay again, which brings back every variable as it was. It is an alias of
# `overlay hide activate`: loaded under another name (`overlay use bin/activate.nu as NAME`), leave with
# `overlay hide NAME` instead.
# Written by mkvenv: every value below was quoted for nushell (raw strings) when the environment was created.

# `source` (unlike `overlay use`) runs the environment blocks of the modules a file uses: say how to use this one.
module warning {
    export-env {
        const file = path self
        error make -u {
            msg: $"`($file | path basename)` is meant to be used with `overlay use`, not `source`"
        }
    }
}

use warning

export-env {
    let version = (version | get version | split row '.' | take 2 | each { into int })
    if $version.0 == 0 and $version.1 < 106 {
        error make -u { msg: 'activate.nu needs nushell 0.106 or later' }
    }

    let virtual_env = __VIRTUAL_ENV__
    let bin = __BIN_NAME__
    let path_name = if 'Path' in $env { 'Path' } else { 'PATH' }
    # Activated again, this environment or another (its overlay has the same name): start from the values before
    # the first activation, which it kept. Nushell passes only strings to programs, so they never see this record.
    let before = ($env._MKVENV_BEFORE? | default {
        path: ($env | get $path_name)
        pkg_config: $env.PKG_CONFIG_PATH?
        tcl: $env.TCL_LIBRARY?
        tk: $env.TK_LIBRARY?
        prompt_command: $env.PROMPT_COMMAND?
    })
    $env._MKVENV_BEFORE = $before

    let venv_bin = ([$virtual_env $bin] | path join)
    # PATH is a list once nushell has converted it, a string before.
    let new_path = if ($before.path | describe) == 'string' {
        [$venv_bin $before.path] | str join (char esep)
    } else {
        $before.path | prepend $venv_bin
    }
    let prompt = __VIRTUAL_PROMPT__
    let virtual_env_prompt = if ($prompt | is-empty) { $virtual_env | path basename } else { $prompt }
    let pkg_config = ([$virtual_env lib pkgconfig] | path join)
    load-env {
        $path_name: $new_path
        VIRTUAL_ENV: $virtual_env
        VIRTUAL_ENV_PROMPT: $virtual_env_prompt
        # No empty entry (the current folder, for pkg-config) when there was none before.
        PKG_CONFIG_PATH: (if ($before.pkg_config | is-empty) { $pkg_config } else {
            [$pkg_config $before.pkg_config] | str join (char esep)
        })
    }

    # A PYTHONHOME would send the environment's interpreter to another installation's standard library.
    hide-env -i PYTHONHOME

    # Tcl and Tk look for their scripts beside the running executable, which is the environment's and has none.
    let libraries = { TCL_LIBRARY: [__TCL_LIBRARY__ $before.tcl] TK_LIBRARY: [__TK_LIBRARY__ $before.tk] }
    for name in [TCL_LIBRARY TK_LIBRARY] {
        let ours = ($libraries | get $name | first)
        let old = ($libraries | get $name | last)
        if ($ours | is-not-empty) {
            load-env { $name: $ours }
        } else if $old == null {
            hide-env -i $name
        } else {
            load-env { $name: $old }
        }
    }

    let disable_prompt = ($env.VIRTUAL_ENV_DISABLE_PROMPT? | default '')
    let prompt_disabled = if ($disable_prompt | describe) == 'bool' {
        $disable_prompt
    } else {
        $disable_prompt | is-not-empty
    }
    let old_prompt_command = $before.prompt_command
    if $prompt_disabled {
        hide-env -i VIRTUAL_PREFIX
        if $old_prompt_command == null { hide-env -i PROMPT_COMMAND } else { $env.PROMPT_COMMAND = $old_prompt_command }
    } else {
        # The name is data in a string: nothing in it runs.
        let virtual_prefix = $"\(($virtual_env_prompt)\) "
        $env.VIRTUAL_PREFIX = $virtual_prefix
        $env.PROMPT_COMMAND = if ($old_prompt_command | describe | str starts-with 'closure') {
            {|| $virtual_prefix + (do $old_prompt_command) }
        } else {
            {|| $virtual_prefix + ($old_prompt_command | default '') }
        }
    }
}

export alias pydoc = python -m pydoc

# Loaded under another name (`overlay use activate.nu as NAME`), this alias cannot work: use `overlay hide NAME`.
export alias deactivate = overlay hide activate
