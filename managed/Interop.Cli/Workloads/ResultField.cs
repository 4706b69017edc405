namespace Interop.Cli.Workloads;

/// <summary>
/// One field a workload adds to its result points beyond the common ones and schema 6's keys: a
/// number kept in <see cref="Compare.ComparePoint.OwnFields"/>, written to results.json under
/// <see cref="Key"/> (after the common keys), to results.csv as the column <see cref="Key"/>
/// (after today's columns) and to compare's and report's tables under <see cref="Heading"/>.
/// </summary>
/// <param name="Key">The JSON key and CSV column: snake_case, not one of a point's schema 6 keys.</param>
/// <param name="Heading">The column heading in compare's and report's tables.</param>
/// <param name="Format">How the tables print the value (.NET numeric format: "0.000", "G6").</param>
internal sealed record ResultField(string Key, string Heading, string Format);
