using Spectre.Console;

namespace Interop.Cli;

/// <summary>
/// A Spectre.Console progress display (bar, percentage, elapsed, ETA) on an interactive terminal,
/// run on a thread of its own so the measuring code only reports steps. Only made when
/// <see cref="TerminalMode.IsInteractive"/> says so; elsewhere the callers print plain lines or nothing.
/// The ETA is Spectre's: from the elapsed time and the steps done so far.
/// </summary>
internal sealed class LiveProgress : IDisposable
{
    // The display on screen, if any: a signal handler ends it so the terminal gets its cursor back.
    private static LiveProgress? active;
    private readonly ManualResetEventSlim started = new();
    private readonly ManualResetEventSlim finished = new();
    private readonly Thread thread;
    private ProgressTask? task;
    private bool disposed;

    public LiveProgress(TextWriter writer, string description, double total)
    {
        IAnsiConsole console = TerminalMode.Create(writer);
        thread = new Thread(() => console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                task = ctx.AddTask(Markup.Escape(description), maxValue: Math.Max(total, 1));
                started.Set();
                finished.Wait();
                ctx.Refresh();
            }))
        { IsBackground = true, Name = "interop progress" };
        thread.Start();
        started.Wait();
        active = this;
    }

    /// <summary>Ends the display on screen, if any (Spectre then shows the cursor again): for SIGINT/SIGTERM handlers.</summary>
    public static void StopActive() => Volatile.Read(ref active)?.Dispose();

    /// <summary>Shows <paramref name="description"/> with <paramref name="done"/> steps done.</summary>
    public void Update(string description, double done)
    {
        task!.Description = Markup.Escape(description);
        task.Value = done;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Interlocked.CompareExchange(ref active, null, this);
        finished.Set();
        thread.Join(TimeSpan.FromSeconds(2));
    }
}

/// <summary>
/// pi's and inv's progress: one step per backend, drawn on an interactive stderr only. Elsewhere
/// (CI, files, pipes, every rank under mpiexec) nothing is printed, as before: scripts and tests
/// read stderr for warnings and errors alone.
/// </summary>
internal sealed class BackendProgress : IDisposable
{
    private readonly LiveProgress? bar;
    private readonly string title;
    private readonly int total;
    private int done;

    public BackendProgress(TextWriter stderr, bool root, string title, int total)
    {
        this.title = title;
        this.total = total;
        if (root && total > 0 && TerminalMode.IsInteractive(stderr))
        {
            bar = new LiveProgress(stderr, title, total);
        }
    }

    /// <summary>Marks the start of <paramref name="backend"/>'s runs.</summary>
    public void Starting(string backend) => bar?.Update($"{title} [{done + 1}/{total}] {backend}", done);

    /// <summary>Marks one backend done.</summary>
    public void Done()
    {
        done++;
        bar?.Update(done == total ? $"{title}: {total} backend(s) done" : title, done);
    }

    public void Dispose() => bar?.Dispose();
}
