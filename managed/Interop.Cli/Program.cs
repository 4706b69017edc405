using System.Text;
using Interop.Cli;
using Interop.Core;

// On Unix, stdout and stderr are written as plain files (descriptors 1 and 2), not through .NET's
// console streams: their first write initializes the terminal when stdin is one (mpiexec gives
// every rank a pseudo-terminal), and with TERM set, as in any interactive shell, that puts the
// keypad-mode sequence ESC[?1h ESC= into stdout, which breaks `--json` under mpiexec.
// SetOut/SetError make every other writer (System.CommandLine, the MPI binding) use them too.
// DescriptorStream says why not a FileStream, and why a failed write to stderr is dropped.
if (!OperatingSystem.IsWindows())
{
    var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
    Console.SetOut(new StreamWriter(new DescriptorStream(1), utf8) { AutoFlush = true });
    Console.SetError(new StreamWriter(new DescriptorStream(2, diagnostics: true), utf8) { AutoFlush = true });
}

return Driver.Run(args, Console.Out, Console.Error);

