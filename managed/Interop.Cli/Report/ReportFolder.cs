using System.Globalization;
using Interop.Cli.Compare;
using Interop.Core;

namespace Interop.Cli.Report;

/// <summary>
/// The --out-dir folder of `interop report`. A report knows its own files by a manifest it writes
/// there before any of them, <see cref="ManifestName"/>: the names of the files it is about to
/// write. `--force` removes exactly the files an earlier report listed there (and the temporaries
/// of their killed writes), never a file another command or a person put there: a compare's
/// results folder also has a report.md, and a report that would write over such a file is refused
/// (exit 2) even with --force, naming it.
/// </summary>
internal static class ReportFolder
{
    /// <summary>The manifest: one file name a line, after a comment line.</summary>
    public const string ManifestName = "report-files.txt";

    /// <summary>
    /// Checks <paramref name="directory"/> and makes it ready: new or empty (created if missing), or
    /// with <paramref name="force"/> an earlier report's folder, whose listed files are removed.
    /// Usage errors (exit 2): a non-empty folder without --force; with it, a file report would write
    /// that an earlier report did not (compare's report.md).
    /// </summary>
    public static void Prepare(string directory, bool force, TextWriter stderr)
    {
        string full = string.IsNullOrWhiteSpace(directory) ? string.Empty : Path.GetFullPath(directory);
        if (!force || !Directory.Exists(full) || !Directory.EnumerateFileSystemEntries(full).Any())
        {
            // New, empty, or refused as not empty: the rules every folder-writing command shares.
            CompareOutput.PrepareFolder(directory, force: false, stderr, ReportCommand.FileNames, "report");
            return;
        }

        string what = $"--out-dir {directory}";
        OutputFile.CheckFolderWritable(full, what);
        HashSet<string> listed = Listed(full);
        string[] entries = Directory.GetFileSystemEntries(full);
        if (ReportCommand.FileNames.FirstOrDefault(name => !listed.Contains(name) && Path.Exists(Path.Combine(full, name))) is string foreign)
        {
            throw new UsageException(
                $"{what}: {foreign} there was not written by interop report (a compare's results folder?); " +
                "--force replaces only an earlier report's own files: give another --out-dir");
        }

        string[] ours = [.. entries.Where(e => IsListed(Path.GetFileName(e), listed) && File.Exists(e))];
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

        int others = entries.Length - ours.Length;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"interop: note: --force: removed {ours.Length} file(s) an earlier report wrote in {directory}") +
            (others > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {others} other entries left as they are") : string.Empty));
    }

    /// <summary>
    /// The files in <paramref name="folder"/> that an earlier report wrote (its manifest's names, or
    /// an old report folder's), so that another command's --force leaves them alone.
    /// </summary>
    public static IReadOnlySet<string> WrittenByReport(string folder) =>
        Directory.Exists(folder) ? Listed(folder) : new HashSet<string>();

    /// <summary>Writes the manifest naming <paramref name="names"/> (and itself): before the files themselves.</summary>
    public static void WriteManifest(string directory, IEnumerable<string> names) =>
        OutputFile.WriteText(
            Path.Combine(directory, ManifestName),
            "# Files written by interop report; `interop report --force` into this folder removes these and nothing else.\n" +
            string.Concat(names.Append(ManifestName).Distinct().Select(n => n + "\n")));

    // The names an earlier report listed: only names a report writes, so that an edited manifest
    // cannot make --force remove anything else.
    private static HashSet<string> Listed(string folder)
    {
        string manifest = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifest))
        {
            // A report of a version before the manifest: its report.html, which no other command
            // writes, tells its folder; its files are those of a report's names found there.
            return File.Exists(Path.Combine(folder, "report.html")) && !Path.Exists(Path.Combine(folder, "results.json"))
                ? [.. ReportCommand.FileNames.Where(n => n != ManifestName && File.Exists(Path.Combine(folder, n)))]
                : [];
        }

        try
        {
            InputFile.RequireRegular(manifest);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string line in File.ReadLines(manifest))
            {
                string name = line.Trim();
                if (name == ManifestName || ReportCommand.FileNames.Contains(name))
                {
                    names.Add(name);
                }
            }

            return names;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UsageException)
        {
            return [];
        }
    }

    // A listed file, or the temporary of one left by a killed write (".report.md.tmp-1234").
    private static bool IsListed(string name, HashSet<string> listed) =>
        listed.Contains(name) || listed.Any(f => name.StartsWith($".{f}.tmp-", StringComparison.Ordinal));
}
