@REM Runs pydoc with this environment's interpreter, the one beside this file.
@"%~dp0python.exe" -m pydoc %*
