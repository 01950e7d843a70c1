"""Stand-in for ansible-test's downloaded get-pip script: bootstrap pip with ensurepip, then
install what ansible-test asked for (pip itself, pinned) from the package index."""
import subprocess
import sys

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
ARGS = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + ARGS)
