using System.Collections.Concurrent;
using System.Diagnostics;

namespace Interop.Core;

/// <summary>
/// Profiling, the lesson's first step: spans of work (generate, each compute chunk, reduce,
/// verify) on every thread, written as a Chrome trace-event file that Perfetto or chrome://tracing
/// opens, one track per rank and thread. Off unless a command was given --trace; then
/// <see cref="Span"/> costs two timestamps and one queue insert per span.
/// </summary>
public static class Tracing
{
    private static readonly ConcurrentQueue<TraceEvent> Events = new();
    private static readonly ConcurrentDictionary<int, string> ThreadNames = new();
    private static long origin;

    [ThreadStatic]
    private static int lane;

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>This process's track group (the MPI rank; 0 in a single process).</summary>
    public static int Process { get; set; }

    /// <summary>
    /// The calling thread's track: its worker index in a split (0 = the thread that split the
    /// work). Worker threads are new for every parallel call, so their managed ids would give a new
    /// track each time; the index keeps one track per thread of the team.
    /// </summary>
    public static int Lane
    {
        get => lane;
        set => lane = value;
    }

    /// <summary>
    /// Names the calling thread's track <paramref name="name"/> and puts the thread on it
    /// (<see cref="Lane"/>): for a thread that is neither the main one nor a worker of a split
    /// (the task pool's workers on rank 0), which would otherwise share a track with one of them.
    /// </summary>
    public static void NameLane(int track, string name)
    {
        lane = track;
        if (Enabled)
        {
            ThreadNames[track] = name;
        }
    }

    public static void Start()
    {
        Events.Clear();
        ThreadNames.Clear();
        origin = Stopwatch.GetTimestamp();
        Enabled = true;
    }

    /// <summary>Stops recording and returns the events, oldest first.</summary>
    public static (IReadOnlyList<TraceEvent> Events, IReadOnlyDictionary<int, string> ThreadNames) Stop()
    {
        Enabled = false;
        return ([.. Events.OrderBy(e => e.StartMicroseconds)], new Dictionary<int, string>(ThreadNames));
    }

    /// <summary>Records the span from now until the returned scope is disposed, on the calling thread.</summary>
    public static Scope Span(string name, string category, string? detail = null) =>
        Enabled ? new Scope(name, category, detail, Stopwatch.GetTimestamp()) : default;

    /// <summary>A span in progress; a default instance (tracing off) records nothing.</summary>
    public readonly struct Scope(string name, string category, string? detail, long start) : IDisposable
    {
        public void Dispose()
        {
            if (name is null || !Enabled)
            {
                return;
            }

            long end = Stopwatch.GetTimestamp();
            int tid = lane;
            ThreadNames.TryAdd(tid, tid == 0 ? "thread 0 (main)" : $"thread {tid}");
            Events.Enqueue(new TraceEvent(name, category, detail, Process, tid, Microseconds(start), Microseconds(end) - Microseconds(start)));
        }

        private static double Microseconds(long timestamp) => (timestamp - origin) * 1e6 / Stopwatch.Frequency;
    }
}

/// <summary>One complete span ("ph": "X" in the trace-event format).</summary>
public sealed record TraceEvent(string Name, string Category, string? Detail, int Process, int Thread, double StartMicroseconds, double DurationMicroseconds);
