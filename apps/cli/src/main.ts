// The `heimdall` command. Verbs are registered in ./commands; see `heimdall --help`.
process.stdout.write('heimdall: verbs are being wired up\n');
