// Preloaded (node --import) into every server the benchmark starts: when the benchmark process goes
// away without cleaning up (SIGKILL, crash), the IPC channel closes and the server shuts itself down.
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
