using System.Runtime.InteropServices;

namespace Interop.Core;

/// <summary>
/// A write-only stream over a Unix file descriptor that calls write(2) itself. A FileStream over
/// the descriptor would write with pwrite(2) at a position of its own, leaving the descriptor's
/// shared offset where it was, so `{ interop ...; echo after; } &gt; f` had the next writer start
/// over interop's text. When the reader has gone (EPIPE: `interop env | head -2`), the rest of the
/// output is dropped quietly, as a tool killed by SIGPIPE would, instead of failing the run. A
/// stream of <paramref name="diagnostics"/> (standard error) drops the rest on any failed write
/// (a closed descriptor, a full disk): a warning that cannot be written must not end the run or
/// change its exit code.
/// </summary>
public sealed partial class DescriptorStream(int descriptor, bool diagnostics = false) : Stream
{
    private const int BrokenPipe = 32; // EPIPE
    private const int Interrupted = 4; // EINTR
    private bool readerGone;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override unsafe void Write(ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            byte* p = start;
            long left = buffer.Length;
            while (left > 0 && !readerGone)
            {
                nint written = WriteDescriptor(descriptor, p, (nuint)left);
                if (written >= 0)
                {
                    p += written;
                    left -= written;
                    continue;
                }

                int error = Marshal.GetLastPInvokeError();
                if (error == Interrupted)
                {
                    continue;
                }

                if (error == BrokenPipe || diagnostics)
                {
                    readerGone = true;
                    return;
                }

                throw new IOException($"write to descriptor {descriptor} failed: {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // ssize_t write(int fd, const void *buf, size_t count), from the C library.
    [LibraryImport("libc.so.6", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteDescriptor(int fd, byte* buffer, nuint count);
}
