using System.Globalization;
using Interop.Core;

namespace Interop.Cli.Compare;

/// <summary>
/// The results folder of one compare run, from the check of <c>--out-dir</c> before any computing to
/// its last file. The folder must be new or empty: a non-empty one is refused unless <c>--force</c>,
/// which first removes the files a compare writes there (<see cref="ResultsFiles.FileNames"/> and
/// temporaries of interrupted writes) and leaves every other file as it is. While the run goes on,
/// results.json ("complete": false) and results.csv are rewritten as every point finishes; an
/// interruption or a failure rewrites them with the points so far and its status; a finished run
/// writes every file, results.json ("complete": true) last. Safe to call from a signal handler's thread.
/// </summary>
internal sealed class CompareOutput
{
    private readonly object gate = new();
    private readonly TextWriter stderr;
    private CompareRun? latest;
    private bool closed;

    private CompareOutput(string directory, TextWriter stderr)
    {
        Directory = directory;
        this.stderr = stderr;
    }

    /// <summary>The folder, as the user gave it.</summary>
    public string Directory { get; }

    /// <summary>
    /// The default results folder under <paramref name="parent"/>: parent/&lt;timestamp&gt;, or
    /// parent/&lt;timestamp&gt;-2, -3, ... when one of the same second has it (compare: results/, report: report/).
    /// </summary>
    public static string NewFolderName(string parent)
    {
        string folder = Path.Combine(parent, DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        string candidate = folder;
        for (int i = 2; System.IO.Directory.Exists(candidate) || File.Exists(candidate); i++)
        {
            candidate = string.Create(CultureInfo.InvariantCulture, $"{folder}-{i}");
        }

        return candidate;
    }

    /// <summary>
    /// Checks <paramref name="directory"/> and makes it ready, before any computing: a usage error
    /// (exit 2) for a file, a folder that cannot be created or written, or a non-empty folder
    /// without <paramref name="force"/>. A missing folder is created, with its parents.
    /// </summary>
    public static CompareOutput Prepare(string directory, bool force, TextWriter stderr)
    {
        // A report folder holds a report.md of its own: compare's --force replaces compare's files only.
        if (force && !string.IsNullOrWhiteSpace(directory) &&
            ResultsFiles.FileNames.FirstOrDefault(Report.ReportFolder.WrittenByReport(Path.GetFullPath(directory)).Contains) is string foreign)
        {
            throw new UsageException(
                $"--out-dir {directory}: {foreign} there was written by interop report; " +
                "--force replaces only an earlier compare's own files: give another --out-dir");
        }

        PrepareFolder(directory, force, stderr, ResultsFiles.FileNames, "compare");
        return new CompareOutput(directory, stderr);
    }

    /// <summary>
    /// The folder rules of <see cref="Prepare"/> for any command that writes a folder of files
    /// (compare, report): <paramref name="fileNames"/> are the files <paramref name="producer"/>
    /// writes there, which <paramref name="force"/> removes (with temporaries of killed writes).
    /// </summary>
    public static void PrepareFolder(string directory, bool force, TextWriter stderr, IReadOnlyList<string> fileNames, string producer)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new UsageException("--out-dir: the path is empty");
        }

        string full = Path.GetFullPath(directory);
        string what = $"--out-dir {directory}";
        if (File.Exists(full))
        {
            throw new UsageException($"{what}: is a file, not a folder");
        }

        if (System.IO.Directory.Exists(full))
        {
            OutputFile.CheckFolderWritable(full, what);
            string[] entries = System.IO.Directory.GetFileSystemEntries(full);
            if (entries.Length > 0 && !force)
            {
                throw new UsageException($"{what}: the folder is not empty ({entries.Length} entries); use --force to replace an earlier {producer}'s files there, or another folder");
            }

            string[] ours = [.. entries.Where(e => IsOurs(e, fileNames))];
            foreach (string file in ours)
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new UsageException($"{what}: --force cannot remove {Path.GetFileName(file)}: {e.Message}");
                }
            }

            if (entries.Length > 0)
            {
                stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"interop: note: --force: removed {ours.Length} file(s) an earlier {producer} wrote in {directory}") +
                    (entries.Length > ours.Length ? string.Create(CultureInfo.InvariantCulture, $"; {entries.Length - ours.Length} other entries left as they are") : string.Empty));
            }
        }
        else
        {
            string? existing = Path.GetDirectoryName(full);
            while (existing is not null && !System.IO.Directory.Exists(existing))
            {
                if (File.Exists(existing))
                {
                    throw new UsageException($"{what}: {existing} is a file, not a folder");
                }

                existing = Path.GetDirectoryName(existing);
            }

            OutputFile.CheckFolderWritable(existing ?? full, what);
            try
            {
                System.IO.Directory.CreateDirectory(full);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{what}: cannot create the folder: {e.Message}");
            }
        }
    }

    /// <summary>Saves the points so far of a run that goes on (results.json "complete": false, results.csv).</summary>
    public void Save(CompareRun run)
    {
        lock (gate)
        {
            if (!closed)
            {
                latest = run;
                ResultsFiles.WritePartial(run, Directory);
            }
        }
    }

    /// <summary>Writes every file of the finished <paramref name="run"/>; nothing more is written after it.</summary>
    public ResultsFolder Finish(CompareRun run, IReadOnlyList<string> summary)
    {
        lock (gate)
        {
            // Closed only once written: a write that fails (a full disk) leaves Fail to mark results.json failed.
            latest = run;
            ResultsFolder folder = ResultsFiles.Write(run, Directory, summary);
            closed = true;
            return folder;
        }
    }

    /// <summary>
    /// After a signal: the latest points saved again with their status (results.json "complete":
    /// false, results.csv, report.md without charts); false when the run had already finished
    /// writing. Holds the folder for good: the process is about to exit.
    /// </summary>
    public bool Interrupt(string signal)
    {
        Monitor.Enter(gate);
        if (closed || latest is null)
        {
            return false;
        }

        closed = true;
        CompareRun run = latest with
        {
            Complete = false,
            Status = string.Create(CultureInfo.InvariantCulture, $"interrupted by {signal} after {latest.Points.Count} of {latest.PointsPlanned?.ToString(CultureInfo.InvariantCulture) ?? "?"} points"),
        };
        try
        {
            ResultsFiles.Write(run, Directory, CompareSummary.Sentences(run));
        }
        catch (OutputWriteException)
        {
            // Too little room for every file: results.json at least must not say "running".
            ResultsFiles.WriteEnded(run, Directory);
            throw;
        }

        return true;
    }

    /// <summary>
    /// After an error that ends the run (a failed write included): the latest points saved again with
    /// the error as their status; results.json never stays "running" (<see cref="ResultsFiles.WriteEnded"/>).
    /// </summary>
    public void Fail(string message)
    {
        lock (gate)
        {
            if (closed || latest is null)
            {
                return;
            }

            closed = true;
            if (ResultsFiles.WriteEnded(latest with { Complete = false, Status = $"failed: {message}" }, Directory) is string problem)
            {
                stderr.WriteLine($"interop: note: {problem}");
            }
        }
    }

    // A file a compare writes, or the temporary of one (".results.json.tmp-1234") left by a killed run.
    private static bool IsOurs(string path, IReadOnlyList<string> fileNames)
    {
        string name = Path.GetFileName(path);
        return File.Exists(path) && fileNames.Any(f => name == f || name.StartsWith($".{f}.tmp-", StringComparison.Ordinal));
    }
}
