namespace Interop.Mpi.Tests;

/// <summary>The environment's queries: processor name, library version, MPI_Wtime and MPI_Wtick.</summary>
internal static class InfoChecks
{
    public static void Register(CheckList checks, CollectiveContext context)
    {
        checks.Add("processor name", () => ProcessorName(context.Mpi));
        checks.Add("library version", () => LibraryVersion(context.Mpi));
        checks.Add("wtime increases", () => Wtime(context.Mpi));
    }

    private static string? ProcessorName(MpiEnvironment mpi)
    {
        string name = mpi.ProcessorName;
        return name.Length == 0 || name.Contains('\0') ? $"processor name '{name}'" : null;
    }

    private static string? LibraryVersion(MpiEnvironment mpi)
    {
        string version = mpi.LibraryVersion;
        return version.Length == 0 || version.Contains('\n') ? $"library version '{version}'" : null;
    }

    private static string? Wtime(MpiEnvironment mpi)
    {
        double tick = mpi.Wtick;
        double t0 = mpi.Wtime;
        Thread.Sleep(20);
        double t1 = mpi.Wtime;
        if (!(tick > 0 && tick < 0.01))
        {
            return $"wtick {tick}";
        }

        return t1 - t0 >= 0.015 && t1 - t0 < 10 ? null : $"wtime went from {t0} to {t1} over a 20 ms sleep";
    }
}
