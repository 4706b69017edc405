using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Interop.Backends.ChunkedArray;
using Interop.Cli.Jobs;
using Interop.Core;
using Microsoft.Win32.SafeHandles;

namespace Interop.Cli.Workloads.ChunkedArray;

/// <summary>One backend's arrays for its runs: the sum and memory cases' (<see cref="ArrayBench"/>), or the file case's (<see cref="ArrayFileRun"/>).</summary>
internal interface IArrayPasses : IDisposable
{
    /// <summary>This rank's rows.</summary>
    IndexRange Band { get; }

    /// <summary>One run: the tiles' column sums, the means in tile order, y.</summary>
    ArrayResult Once();

    /// <summary>After the last run: the spec's sampled means and elements of y against this run's: null, or what differs.</summary>
    string? SpotCheck();
}

/// <summary>
/// How the file case spends its memory limit, per process: the blocks in memory at once are a batch
/// of whole 256-row tiles of x (the column sums need whole tiles, in order) and, reusing the same
/// buffer, a band of rows: x's rows, their transposed columns (xt, read from the file: a rank needs
/// nothing from the others) and y's rows (when written). Besides: the means, the running column
/// totals, the batch's tile sums and, over several ranks, the tiles' sums gathered from every rank.
/// An eighth of the limit is left for the process's own growth (thread stacks, the runtime), so that
/// its peak resident memory grows by at most the limit.
/// </summary>
internal sealed record ArrayFilePlan(long TilesPerBatch, long BandRows, long ArenaDoubles, long Bytes)
{
    /// <summary>The bytes of blocks a limit allows: seven eighths of it.</summary>
    public static long Usable(long limit) => limit - (limit / 8);

    /// <summary>
    /// The plan for order <paramref name="n"/> under <paramref name="limit"/> bytes, y written or
    /// not, over <paramref name="ranks"/> ranks whose largest band has <paramref name="largestBand"/>
    /// rows. A limit below two blocks of the chunk, or below one tile's pass, is a <see cref="UsageException"/>.
    /// </summary>
    public static ArrayFilePlan Of(long n, long chunk, long limit, bool output, int ranks, long largestBand)
    {
        long row = n * sizeof(double);
        long twoBlocks = 2 * chunk * chunk * sizeof(double);
        if (limit < twoBlocks)
        {
            throw new UsageException(
                $"--memory {ByteSize.Text(limit)} is less than two blocks of the chunk ({chunk.ToString(CultureInfo.InvariantCulture)} x {chunk.ToString(CultureInfo.InvariantCulture)} doubles: {ByteSize.Text(twoBlocks)} for two): give more, or a smaller --chunk");
        }

        long tileRows = Math.Min(ArrayArguments.TileRows, n);
        long perBandRow = row * (output ? 3 : 2);
        long fixedBytes = row * (2 + (ranks > 1 ? ArrayArguments.Tiles(0, largestBand) + ArrayArguments.Tiles(0, n) : 0));
        long least = fixedBytes + row + Math.Max(tileRows * row, perBandRow);
        if (Usable(limit) < least)
        {
            long needed = least + ((least + 6) / 7);
            throw new UsageException(
                $"--memory {ByteSize.Text(limit)} is too small for n = {n.ToString(CultureInfo.InvariantCulture)}: the column sums read whole tiles of {tileRows.ToString(CultureInfo.InvariantCulture)} rows " +
                $"({ByteSize.Text(tileRows * row)} each) and a band row of y needs {ByteSize.Text(perBandRow)}; with the means and an eighth kept for the process, at least {ByteSize.Text(needed)}");
        }

        long available = Usable(limit) - fixedBytes;
        long tiles = Math.Clamp(available / ((tileRows + 1) * row), 1, Math.Max(1, ArrayArguments.Tiles(0, largestBand)));
        long arenaBytes = available - (tiles * row);
        long bandRows = Math.Clamp(arenaBytes / perBandRow, 1, Math.Max(1, largestBand));
        long arena = Math.Max(tiles * tileRows * n, bandRows * n * (output ? 3 : 2));
        return new ArrayFilePlan(tiles, bandRows, arena, fixedBytes + (tiles * row) + (arena * sizeof(double)));
    }
}

/// <summary>Each rank's resident memory in the file case's runs: before the first band (its high-water mark reset there) and at its peak by the end of the last run.</summary>
internal sealed record ArrayFileMemory(long Limit, long PlannedBytes, IReadOnlyList<long> BaselineRss, IReadOnlyList<long> PeakRss)
{
    /// <summary>The rank whose resident memory grew most.</summary>
    public int WorstRank => Enumerable.Range(0, PeakRss.Count).MaxBy(r => PeakRss[r] - BaselineRss[r]);
}

/// <summary>
/// This process's resident memory from /proc/self/status (Linux; -1 elsewhere). Writing 5 to
/// /proc/self/clear_refs resets the high-water mark VmHWM to the current VmRSS, so that a run's
/// peak is its own, not the start-up's.
/// </summary>
internal static class ProcessMemory
{
    public static void ResetPeak()
    {
        try
        {
            using var clear = new FileStream("/proc/self/clear_refs", FileMode.Open, FileAccess.Write);
            clear.Write("5"u8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or not allowed: the peak then includes what came before.
        }
    }

    /// <summary>VmRSS: resident now.</summary>
    public static long Resident() => Field("VmRSS:");

    /// <summary>VmHWM: the peak since the start or the last reset.</summary>
    public static long Peak() => Field("VmHWM:");

    private static long Field(string name)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal)
                    && long.TryParse(line[name.Length..].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    return kb * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux.
        }

        return -1;
    }
}

/// <summary>
/// The file case's y.npy, shared by the backends' runs and the ranks: rank 0 creates it under a
/// hidden temporary name beside the output (<see cref="OutputFile.StageShared"/>), its header written
/// and its length set; every rank then writes its rows at their offsets. After the last run every
/// rank flushes it to disk and meets the others (<see cref="Flush"/>); rank 0 renames it (<see cref="Commit"/>)
/// once the run passed its checks. A failure on any rank removes the temporary (<see cref="Abandon"/>).
/// </summary>
internal sealed unsafe class ArrayFileOutput : IDisposable
{
    // A span is at most 2 GiB: writes go in pieces of this many bytes.
    private const long Piece = 1 << 30;

    private readonly IJob job;
    private readonly string given;
    private readonly long n;
    private readonly OutputFile.StagedFile? staged;
    private readonly SafeFileHandle handle;
    private readonly PosixSignalRegistration[] signals;

    public ArrayFileOutput(IJob job, string path, long n)
    {
        this.job = job;
        given = path;
        this.n = n;
        byte[] header = NpyFile.HeaderOf(n);
        DataOffset = header.Length;
        string answer = string.Empty;
        if (job.IsRoot)
        {
            staged = OutputFile.StageShared(path, "--output", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            answer = staged.Temporary!;
            try
            {
                using SafeFileHandle created = File.OpenHandle(answer, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
                RandomAccess.Write(created, header, 0);
                RandomAccess.SetLength(created, DataOffset + (n * n * sizeof(double)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                staged.Dispose();
                answer = "!" + $"{path}: cannot write: {OutputFile.Reason(e)}";
            }
        }

        // Every rank learns the temporary's name from rank 0, or why there is none.
        answer = Encoding.UTF8.GetString(job.GatherAll(Encoding.UTF8.GetBytes(answer))[0]);
        if (answer.StartsWith('!'))
        {
            throw Everywhere(job, new OutputWriteException(answer[1..]));
        }

        Temporary = answer;

        // Interrupted (Ctrl-C; mpiexec ending a job that failed elsewhere sends SIGTERM): the
        // temporary goes, then the signal takes its course.
        signals = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }.Select(s => PosixSignalRegistration.Create(s, _ => Abandon()))];
        try
        {
            handle = File.OpenHandle(Temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Abandon();
            throw new OutputWriteException($"{path}: cannot write: {OutputFile.Reason(e)}", e);
        }
    }

    /// <summary>The hidden name y is written under until it is complete.</summary>
    public string Temporary { get; }

    /// <summary>Where y's doubles start in the file: after the header.</summary>
    public long DataOffset { get; }

    /// <summary>A failure every rank meets alike is said once (<see cref="CollectiveFailureException"/>); in one process it is itself.</summary>
    public static Exception Everywhere(IJob job, Exception e) => job.Size > 1 ? new CollectiveFailureException(e) : e;

    /// <summary>Writes y's rows [<paramref name="first"/>, first + <paramref name="rows"/>) from <paramref name="y"/> at their offset; a failed write (a full disk) is an <see cref="OutputWriteException"/>.</summary>
    public void WriteRows(long first, long rows, double* y)
    {
        long bytes = rows * n * sizeof(double);
        long offset = DataOffset + (first * n * sizeof(double));
        try
        {
            for (long done = 0; done < bytes; done += Piece)
            {
                int length = (int)Math.Min(Piece, bytes - done);
                RandomAccess.Write(handle, new ReadOnlySpan<byte>((byte*)y + done, length), offset + done);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException($"{given}: cannot write: {OutputFile.Reason(e)}", e);
        }
    }

    /// <summary>y[i][j] as the file holds it: the spot check reads back what was written.</summary>
    public double Read(long i, long j)
    {
        Span<byte> bytes = stackalloc byte[sizeof(double)];
        int read = RandomAccess.Read(handle, bytes, DataOffset + (((i * n) + j) * sizeof(double)));
        return read == sizeof(double)
            ? BitConverter.ToDouble(bytes)
            : throw new InvalidOperationException($"{given}: y[{i}][{j}] could not be read back");
    }

    /// <summary>After the last run, on every rank: this rank's writes flushed to disk, then every rank's (a barrier), so that rank 0 may rename.</summary>
    public void Flush()
    {
        try
        {
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Abandon();
            throw new OutputWriteException($"{given}: cannot write: {OutputFile.Reason(e)}", e);
        }

        job.Barrier();
    }

    /// <summary>Removes the temporary (any rank, on a failure): the job ends, no part of y stays behind.</summary>
    public void Abandon()
    {
        try
        {
            File.Delete(Temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the hidden name never replaces the user's file.
        }
    }

    /// <summary>Rank 0, once the run passed: the temporary renamed over the output.</summary>
    public void Commit() => staged?.Commit();

    public void Dispose()
    {
        foreach (PosixSignalRegistration signal in signals)
        {
            signal.Dispose();
        }

        handle.Dispose();
        staged?.Dispose();
    }
}

/// <summary>
/// One backend's file-case runs on one rank: x read from the .npy file with pread (RandomAccess)
/// into one buffer sized by <see cref="ArrayFilePlan"/>, never whole and never memory-mapped (a
/// band's transposed columns touch a page of every row: mapped, they would be resident at once).
/// Pass one: batches of whole 256-row tiles of this rank's band, in order, their column sums by the
/// backend's kernel and added in tile order (over ranks: every rank's tiles' sums gathered, in rank
/// order = tile order). Pass two: bands of rows, each x's rows and the same columns of every row
/// (xt), y's band by the kernel, written at its offset in y.npy. Every pass's bits are the spec's,
/// so y and its checksum are the other cases'.
/// </summary>
internal sealed unsafe class ArrayFileRun : IArrayPasses
{
    private const long Piece = 1 << 30;

    private readonly IJob job;
    private readonly IArrayKernel kernel;
    private readonly ArrayShape shape;
    private readonly ArrayFiles files;
    private readonly int threads;
    private readonly ArrayFileOutput? output;
    private readonly ArrayFilePlan plan;
    private readonly SafeFileHandle input;
    private readonly long n;
    private readonly double[] means;
    private readonly double[] totals;
    private readonly double[] batchSums;
    private readonly double[] rankSums;
    private readonly double* arena;

    public ArrayFileRun(IJob job, IArrayKernel kernel, ArrayShape shape, int threads, ArrayFileOutput? output)
    {
        this.job = job;
        this.kernel = kernel;
        this.shape = shape;
        this.threads = threads;
        this.output = output;
        files = shape.Files ?? throw new ArgumentException("the file case needs its files", nameof(shape));
        n = shape.N;
        IndexRange[] bands = [.. Enumerable.Range(0, job.Size).Select(r => ArrayBench.BandOf(n, job.Size, r))];
        Band = bands[job.Rank];
        plan = ArrayFilePlan.Of(n, shape.Chunk, files.MemoryLimit, output is not null, job.Size, bands.Max(b => b.Length));
        try
        {
            input = File.OpenHandle(files.Input, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"{files.Input}: cannot read: {e.Message}", e);
        }

        // The baseline: before any block of this run is allocated.
        ProcessMemory.ResetPeak();
        BaselineRss = ProcessMemory.Resident();
        means = new double[n];
        totals = new double[n];
        batchSums = new double[plan.TilesPerBatch * n];
        rankSums = job.Size > 1 ? new double[ArrayArguments.Tiles(Band.Begin, Band.End) * n] : [];
        arena = (double*)NativeMemory.AlignedAlloc(checked((nuint)(Math.Max(plan.ArenaDoubles, 1) * sizeof(double))), 64);
    }

    public IndexRange Band { get; }

    /// <summary>VmRSS before the first band.</summary>
    public long BaselineRss { get; }

    /// <summary>VmHWM after the last run (<see cref="Finish"/>).</summary>
    public long PeakRss { get; private set; } = -1;

    public ArrayFilePlan Plan => plan;

    public ArrayResult Once()
    {
        try
        {
            return Passes();
        }
        catch
        {
            output?.Abandon();
            throw;
        }
    }

    /// <summary>After the last run, on every rank: y flushed to disk by every rank (then rank 0 may rename it), and this rank's peak memory read.</summary>
    public void Finish()
    {
        PeakRss = ProcessMemory.Peak();
        output?.Flush();
    }

    /// <summary>Rank 0: the spec's means of sampled columns and y's sampled elements, both from the files (x's from the input, y's read back from the output).</summary>
    public string? SpotCheck() =>
        job.IsRoot ? ArrayCheck.Spot(shape, means, output is null ? null : output.Read, null, ReadX) : null;

    public void Dispose()
    {
        NativeMemory.AlignedFree(arena);
        input.Dispose();
    }

    private ArrayResult Passes()
    {
        double sumX = ColumnMeans();
        if (!double.IsFinite(sumX))
        {
            throw ArrayFileOutput.Everywhere(job, new UsageException(
                $"{files.Input}: the sum of x's elements is {sumX.ToString(CultureInfo.InvariantCulture)}: x holds NaN or infinity (or values whose sum overflows); y's checks need a finite sum"));
        }

        ulong checksum = 0;
        double sum = 0;
        fixed (double* m = means)
        {
            for (long first = Band.Begin; first < Band.End; first += plan.BandRows)
            {
                long end = Math.Min(Band.End, first + plan.BandRows);
                long rows = end - first;
                double* x = arena;
                double* xt = arena + (rows * n);
                double* y = output is null ? null : xt + (n * rows);
                ReadRows(first, end, x);
                ReadColumns(first, end, xt);
                ArrayPassResult part = kernel.Run(new ArrayCall(ArrayPass.Y, n, shape.Chunk, shape.Seed, first, end, x, n, xt, rows, m, y, n), threads);
                checksum = unchecked(checksum + part.Checksum);
                sum += part.Sum;
                output?.WriteRows(first, rows, y);
            }
        }

        if (job.Size == 1)
        {
            return new ArrayResult(checksum, sum, sumX);
        }

        // The parts' checksums add modulo 2^64 in any order; the sums in rank order.
        var mine = new byte[2 * sizeof(long)];
        BitConverter.TryWriteBytes(mine, checksum);
        BitConverter.TryWriteBytes(mine.AsSpan(sizeof(long)), sum);
        ulong total = 0;
        double sumY = 0;
        foreach (byte[] rank in job.GatherAll(mine))
        {
            total = unchecked(total + BitConverter.ToUInt64(rank, 0));
            sumY += BitConverter.ToDouble(rank, sizeof(long));
        }

        return new ArrayResult(total, sumY, sumX);
    }

    // The tiles' column sums batch by batch, added in tile order into the means; returns sum(x) as
    // ArrayCheck.Means adds it (the columns' totals in column order).
    private double ColumnMeans()
    {
        long tiles = ArrayArguments.Tiles(Band.Begin, Band.End);
        Array.Clear(totals);
        fixed (double* sums = batchSums, mine = rankSums)
        {
            for (long t = 0; t < tiles; t += plan.TilesPerBatch)
            {
                long first = Band.Begin + (t * ArrayArguments.TileRows);
                long end = Math.Min(Band.End, first + (plan.TilesPerBatch * ArrayArguments.TileRows));
                ReadRows(first, end, arena);
                double* into = job.Size == 1 ? sums : mine + (t * n);
                kernel.Run(new ArrayCall(ArrayPass.ColumnSums, n, shape.Chunk, shape.Seed, first, end, arena, n, null, 0, null, into, n), threads);
                if (job.Size == 1)
                {
                    AddTiles(new ReadOnlySpan<double>(sums, (int)(ArrayArguments.Tiles(first, end) * n)));
                }
            }
        }

        if (job.Size > 1)
        {
            // Every rank's tiles' sums, in rank order: tile order.
            foreach (byte[] rank in job.GatherAll(MemoryMarshal.AsBytes(rankSums.AsSpan()).ToArray()))
            {
                AddTiles(MemoryMarshal.Cast<byte, double>(rank.AsSpan()));
            }
        }

        double sumX = 0;
        for (long j = 0; j < n; j++)
        {
            sumX += totals[j];
            means[j] = totals[j] / n;
        }

        return sumX;
    }

    // Tiles' sums (tile t's column j at t n + j) added to the totals one tile after another.
    private void AddTiles(ReadOnlySpan<double> tileSums)
    {
        for (int start = 0; start < tileSums.Length; start += (int)n)
        {
            ReadOnlySpan<double> tile = tileSums.Slice(start, (int)n);
            for (int j = 0; j < n; j++)
            {
                totals[j] += tile[j];
            }
        }
    }

    // x's rows [first, end) into to, one after another.
    private void ReadRows(long first, long end, double* to) =>
        ReadExactly((byte*)to, (end - first) * n * sizeof(double), files.DataOffset + (first * n * sizeof(double)));

    // Columns [first, end) of every row of x: xt[j (end - first) + (i - first)] = x[j][i], one read per row.
    private void ReadColumns(long first, long end, double* xt)
    {
        long width = end - first;
        for (long j = 0; j < n; j++)
        {
            ReadExactly((byte*)(xt + (j * width)), width * sizeof(double), files.DataOffset + (((j * n) + first) * sizeof(double)));
        }
    }

    private double ReadX(long i, long j)
    {
        double value;
        ReadExactly((byte*)&value, sizeof(double), files.DataOffset + (((i * n) + j) * sizeof(double)));
        return value;
    }

    private void ReadExactly(byte* to, long bytes, long offset)
    {
        long done = 0;
        while (done < bytes)
        {
            int read;
            try
            {
                read = RandomAccess.Read(input, new Span<byte>(to + done, (int)Math.Min(Piece, bytes - done)), offset + done);
            }
            catch (IOException e)
            {
                throw new InvalidOperationException($"{files.Input}: cannot read: {e.Message}", e);
            }

            if (read == 0)
            {
                throw new InvalidOperationException($"{files.Input}: ended at byte {offset + done}, before all of x was read (did it change during the run?)");
            }

            done += read;
        }
    }
}
