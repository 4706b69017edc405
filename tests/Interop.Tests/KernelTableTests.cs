using System.Diagnostics;
using System.Text.Json;
using Interop.Backends;
using Interop.Core;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// The native kernel table (native/kernels.json): it parses, every row of this build loads and is a
/// backend with its row's order and description, and a row whose library is missing, older or other
/// than the table says is unavailable with the reason, never a crash. A stand-in kernel library built
/// here (its own ISA prefix, a last-error function, one path only) takes the path a C++ or Rust row takes.
/// </summary>
[NonParallelizable]
public sealed class KernelTableTests
{
    private string dir = string.Empty;

    [SetUp]
    public void CreateFolder() => dir = Directory.CreateTempSubdirectory("interop-table-").FullName;

    [TearDown]
    public void Restore()
    {
        IsaSwitch.Apply(Isa.Auto);
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void TheTableParsesAndEveryRowIsABackendWithItsOrderAndDescription()
    {
        NativeKernelTable table = NativeKernelTable.Default;
        Assert.That(table.Kernels.Select(k => k.Backend), Does.Contain("c-openmp").And.Contain("fortran-openmp"));
        Assert.That(table.Library("interop_native").AbiVersion, Is.EqualTo(InteropHeaderAbiVersion()), "the table expects interop.h's INTEROP_ABI_VERSION");
        foreach (NativeKernelInfo row in table.Kernels)
        {
            // Each workload the row names a symbol for is offered by one backend, the same for all of them.
            IBackend backend = BackendCatalog.All<IBackend>().Single(b => b.Name == row.Backend);
            Assert.That(row.Symbols.Keys, Is.SubsetOf(table.Workloads).And.Not.Empty, row.Backend);
            Assert.That(BackendCatalog.All<IPiBackend>().Contains(backend), Is.EqualTo(row.Offers(NativeKernelTable.Pi)), $"{row.Backend} offered for pi");
            Assert.That(BackendCatalog.All<IInvBackend>().Contains(backend), Is.EqualTo(row.Offers(NativeKernelTable.Inv)), $"{row.Backend} offered for inv");
            Assert.That((backend.Order, backend.Description, backend.IsParallel), Is.EqualTo((row.Order, row.Description, true)), row.Backend);
        }

        Assert.That(BackendCatalog.All<IPiBackend>().Select(b => b.Order), Is.Ordered, "catalog in table order among the others");
    }

    [Test]
    public void EveryRowOfThisBuildLoadsAndItsLibraryHasTheTablesPaths()
    {
        string[] built = BuiltLibraries();
        Assert.That(built, Does.Contain("interop_native"));
        foreach (NativeKernelInfo row in NativeKernelTable.Default.Kernels)
        {
            var backend = (NativeKernelBackend)BackendCatalog.Select<IPiBackend>(row.Backend).Single();
            if (!built.Contains(row.Library.Name))
            {
                var e = Assert.Throws<BackendUnavailableException>(backend.EnsureAvailable, $"{row.Backend}: its library is not in this build");
                Assert.That(e!.Message, Does.Contain(row.Library.FileName));
                continue;
            }

            Assert.DoesNotThrow(backend.EnsureAvailable, row.Backend);
            Assert.That(backend.CountInside(42, new IndexRange(0, 1_000_000), 2), Is.EqualTo(785_402), row.Backend);
            foreach (Isa path in IsaNames.Paths.Where(ManagedIsa.Supports))
            {
                Assert.That(backend.Kernel.Library.Runs(path), Is.EqualTo(row.Library.IsaPaths.Contains(path)),
                    $"{row.Library.Name} runs {IsaNames.Name(path)} exactly if the table lists it");
            }
        }
    }

    /// <summary>
    /// A row may leave a workload out of its symbols (issue 21): its backend is then offered for the
    /// workloads it names and not for the other (not a backend that fails when asked), binding never
    /// looks for the missing symbol, and a direct call of the workload it lacks says so.
    /// </summary>
    [TestCase("pi")]
    [TestCase("inv")]
    public void ARowThatLeavesAWorkloadOutIsNotOfferedForIt(string runs)
    {
        int abi = NativeKernelTable.Default.Library("interop_native").AbiVersion;
        bool pi = runs == NativeKernelTable.Pi;
        // The symbol of the workload left out would not even resolve: it is never looked up.
        NativeKernelTable table = NativeKernelTable.Parse(Table("interop_native", abi, "interop_isa", pi ? "interop_pi_count_c" : null, pi ? null : "interop_inv_c"));
        NativeKernelInfo row = table.Kernels.Single();
        Assert.That(row.Symbols.Keys, Is.EqualTo(new[] { runs }));
        Assert.That((row.Offers(NativeKernelTable.Pi), row.Offers(NativeKernelTable.Inv)), Is.EqualTo((pi, !pi)));

        IBackend[] catalog = [.. BackendCatalog.Build(table)];
        var backend = (NativeKernelBackend)catalog.Single(b => b.Name == "test-kernel");
        Assert.That(BackendCatalog.Of<IBackend>(catalog), Does.Contain(backend), "still a backend");
        Assert.That(BackendCatalog.Of<IPiBackend>(catalog).Contains(backend), Is.EqualTo(pi), "offered for pi");
        Assert.That(BackendCatalog.Of<IInvBackend>(catalog).Contains(backend), Is.EqualTo(!pi), "offered for inv");
        Assert.That(BackendCatalog.Of<IPiBackend>(catalog).Select(b => b.Name), Does.Contain("managed-serial"), "the other backends are offered as before");
        Assert.That(BackendCatalog.Of<IInvBackend>(catalog).Select(b => b.Name), Does.Contain("lapack"));

        Assert.DoesNotThrow(backend.EnsureAvailable);
        double[] a = [4, 7, 2, 6];
        if (pi)
        {
            Assert.That(backend.CountInside(42, new IndexRange(0, 1_000_000), 2), Is.EqualTo(785_402));
            var e = Assert.Throws<BackendUnavailableException>(() => backend.Invert(a, 2, 1));
            Assert.That(e!.Message, Is.EqualTo("test-kernel does not run inv: its row in the kernel table names no 'inv' symbol"));
        }
        else
        {
            backend.Invert(a, 2, 1);
            Assert.That(a, Is.EqualTo(new[] { 0.6, -0.7, -0.2, 0.4 }).Within(1e-12));
            var e = Assert.Throws<BackendUnavailableException>(() => backend.CountInside(1, new IndexRange(0, 10), 1));
            Assert.That(e!.Message, Is.EqualTo("test-kernel does not run pi: its row in the kernel table names no 'pi' symbol"));
        }
    }

    /// <summary>
    /// A workload the table has never heard of is a key like any other (issue 21): the row is read,
    /// its backend is offered for the workload interfaces whose keys it names, and the new workload's
    /// code gets its entry point from <see cref="NativeKernel.EntryPoint"/> to call with its own
    /// signature. A missing key or symbol is unavailable, saying which.
    /// </summary>
    [Test]
    public unsafe void ANewWorkloadsKeyIsReadAndItsEntryPointIsBoundOnFirstUse()
    {
        int abi = NativeKernelTable.Default.Library("interop_native").AbiVersion;
        // The library's ABI version function stands in for the new workload's entry point: any symbol it exports.
        string json = Table("interop_native", abi, "interop_isa", "interop_pi_count_c", null)
            .Replace("\"pi\": \"interop_pi_count_c\"", "\"pi\": \"interop_pi_count_c\", \"new_work\": \"interop_abi_version\", \"lost\": \"interop_lost_symbol\"", StringComparison.Ordinal);
        NativeKernelTable table = NativeKernelTable.Parse(json);
        NativeKernelInfo info = table.Kernels.Single();
        Assert.That(table.Workloads, Is.EqualTo(new[] { "pi", "new_work", "lost" }));
        Assert.That((info.Offers("new_work"), info.Symbol("new_work")), Is.EqualTo((true, "interop_abi_version")));

        IBackend[] catalog = [.. BackendCatalog.Build(table)];
        var backend = (NativeKernelBackend)catalog.Single(b => b.Name == "test-kernel");
        Assert.That((backend.Runs(typeof(IPiBackend)), backend.Runs(typeof(IInvBackend))), Is.EqualTo((true, false)), "offered by the keys its interfaces declare");

        nint entry = backend.Kernel.EntryPoint("new_work");
        Assert.That(((delegate* unmanaged<int>)entry)(), Is.EqualTo(abi));
        Assert.That(backend.Kernel.EntryPoint("new_work"), Is.EqualTo(entry), "bound once");
        var missing = Assert.Throws<BackendUnavailableException>(() => backend.Kernel.EntryPoint("lost"));
        Assert.That(missing!.Message, Does.Contain("libinterop_native.so has no symbol interop_lost_symbol"));
        var absent = Assert.Throws<BackendUnavailableException>(() => backend.Kernel.EntryPoint("other"));
        Assert.That(absent!.Message, Is.EqualTo("test-kernel does not run other: its row in the kernel table names no 'other' symbol"));
        Assert.DoesNotThrow(backend.EnsureAvailable, "pi's binding does not look for the other workloads' symbols");
    }

    [Test]
    public void ARowThatNamesNoWorkloadOrAPlanWithoutTheInversionIsRefused()
    {
        string none = Table("interop_fake", 1, "interop_fake_isa", null, null);
        Assert.That(() => NativeKernelTable.Parse(none), Throws.TypeOf<FormatException>().With.Message.EqualTo(
            "kernel table: kernel 'test-kernel': symbols names no workload"));
        string planWithoutInv = Table("interop_fake", 1, "interop_fake_isa", "interop_pi_count_fake", null, plan: "interop_fake_inv_plan");
        Assert.That(() => NativeKernelTable.Parse(planWithoutInv), Throws.TypeOf<FormatException>().With.Message.EqualTo(
            "kernel table: kernel 'test-kernel': inv_plan_prefix without an 'inv' symbol"));
        string plan = Table("interop_fake", 1, "interop_fake_isa", "interop_pi_count_fake", "interop_inv_fake", plan: "interop_fake_inv_plan");
        Assert.That(NativeKernelTable.Parse(plan).Kernels.Single().InvPlanPrefix, Is.EqualTo("interop_fake_inv_plan"));
    }

    [Test]
    public void ARowWhoseLibraryIsMissingIsUnavailableNamingEveryPathTried()
    {
        NativeKernelTable table = NativeKernelTable.Parse(Table("interop_missing_for_test", 1, "interop_missing_for_test_isa", "interop_pi_count_missing", "interop_inv_missing"));
        IBackend[] catalog = [.. BackendCatalog.Build(table)];
        var row = (NativeKernelBackend)catalog.Single(b => b.Name == "test-kernel");
        Assert.That((row.Order, row.Description), Is.EqualTo((99, "a kernel for the test")));
        Assert.That(catalog.Select(b => b.Name), Does.Contain("managed-serial").And.Contain("lapack"), "the backend classes are still found");

        string file = NativeLibraryProbe.FileName("interop_missing_for_test");
        var e = Assert.Throws<BackendUnavailableException>(row.EnsureAvailable);
        Assert.That(e!.Message, Does.Contain($"{file} could not be loaded").And.Contain("./build.sh"));
        Assert.That(e.Message, Does.Contain(Path.Combine(Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!, file) + " (not found)"));
        Assert.That(e.Message, Does.Contain(Path.Combine(AppContext.BaseDirectory, file) + " (not found)"));
        // The same answer every time, and from every other way in: no call reaches a null pointer.
        Assert.That(Assert.Throws<BackendUnavailableException>(() => row.CountInside(1, new IndexRange(0, 10), 1))!.Message, Is.EqualTo(e.Message));
        Assert.That(Assert.Throws<BackendUnavailableException>(() => _ = row.PiIsa)!.Message, Is.EqualTo(e.Message));
        Assert.That(Assert.Throws<BackendUnavailableException>(() => row.Invert(new double[4], 2, 1))!.Message, Is.EqualTo(e.Message));
        // The ISA switch skips it and still switches the others.
        Isa path = ManagedIsa.Best == Isa.Scalar ? Isa.Scalar : Isa.Avx2;
        Assert.DoesNotThrow(() => IsaSwitch.Apply(path, table));
        Assert.That(ManagedIsa.Active, Is.EqualTo(path));
    }

    [Test]
    public void ALibraryOtherThanTheTableSaysIsUnavailableWithTheReason()
    {
        int abi = NativeKernelTable.Default.Libraries.Single(l => l.Name == "interop_native").AbiVersion;
        string missing = Table("interop_native", abi, "interop_isa", "interop_pi_count_nowhere", "interop_inv_c");
        var e = Assert.Throws<BackendUnavailableException>(new NativeKernelBackend(new NativeKernel(NativeKernelTable.Parse(missing).Kernels[0])).EnsureAvailable);
        Assert.That(e!.Message, Does.Contain("libinterop_native.so has no symbol interop_pi_count_nowhere"));

        string newer = Table("interop_native", 999, "interop_isa", "interop_pi_count_c", "interop_inv_c");
        e = Assert.Throws<BackendUnavailableException>(new NativeKernelBackend(new NativeKernel(NativeKernelTable.Parse(newer).Kernels[0])).EnsureAvailable);
        Assert.That(e!.Message, Does.Contain($"has ABI version {InteropHeaderAbiVersion()}, this driver expects 999"));

        // The real description of the same library is not disturbed by the others.
        Assert.DoesNotThrow(BackendCatalog.Select<IPiBackend>("c-openmp")[0].EnsureAvailable);
    }

    [TestCase("\"library\": \"interop_fake\"", "\"library\": \"interop_other\"", "names library 'interop_other'")]
    [TestCase("\"pi\": \"interop_pi_count_fake\"", "\"pi\": \"interop-pi\"", "symbols: pi 'interop-pi' is not a C identifier")]
    [TestCase("\"pi\": \"interop_pi_count_fake\"", "\"pi\": 7", "symbols: 'pi' needs a non-empty string")]
    [TestCase("\"pi\": \"interop_pi_count_fake\"", "\"e-p\": \"interop_ep_fake\"", "symbols: 'e-p' is not a workload name (lower-case letters, digits and '_', a letter first)")]
    [TestCase("\"pi\": \"interop_pi_count_fake\"", "\"Pi\": \"interop_pi_count_fake\"", "symbols: 'Pi' is not a workload name")]
    [TestCase("\"pi\": \"interop_pi_count_fake\"", "\"\": \"interop_pi_count_fake\"", "symbols: '' is not a workload name")]
    [TestCase("\"symbols\": {", "\"old_symbols\": {", "needs an object 'symbols' of workloads and their symbols")]
    [TestCase("\"order\": 99", "\"order\": \"first\"", "needs an integer 'order'")]
    [TestCase("\"isa_paths\": [\"scalar\"]", "\"isa_paths\": [\"scalar\", \"sse9\"]", "'sse9' is not a path")]
    [TestCase("\"isa_paths\": [\"scalar\"]", "\"isa_paths\": [\"avx2\"]", "every library has the scalar path")]
    [TestCase("\"isa_paths\": [\"scalar\"]", "\"isa_paths\": \"later\"", "isa_paths is a list or \"build\", not 'later'")]
    [TestCase("\"backend\": \"test-kernel\"", "\"backend\": \"\"", "needs a non-empty string 'backend'")]
    [TestCase("\"kernels\": [", "\"rows\": [", "needs an array 'kernels'")]
    public void AMalformedTableIsRefusedNamingTheField(string field, string replacement, string message)
    {
        string good = Table("interop_fake", 1, "interop_fake_isa", "interop_pi_count_fake", "interop_inv_fake");
        Assert.That(NativeKernelTable.Parse(good).Kernels.Single().Backend, Is.EqualTo("test-kernel"));
        Assert.That(good, Does.Contain(field));
        string bad = good.Replace(field, replacement, StringComparison.Ordinal);
        Assert.That(() => NativeKernelTable.Parse(bad), Throws.TypeOf<FormatException>().With.Message.Contain(message), bad);
    }

    /// <summary>A table that is JSON but not an object, or names with line breaks: one FormatException of one line (issue 20, property tests).</summary>
    [TestCase("[]", "the table needs an array 'libraries'")]
    [TestCase("\"kernels\"", "the table needs an array 'libraries'")]
    [TestCase("{\"libraries\": [{\"name\": \"a\\nb\"}]}", "library 'a\\nb' needs an array 'isa_paths'")]
    [TestCase("{\"libraries\": [], \"kernels\": [{\"backend\": \"x\\u2028y\"}]}", "kernel 'x\\u2028y' needs a non-empty string 'library'")]
    public void ATableOfTheWrongShapeOrWithLineBreaksIsRefusedOnOneLine(string json, string message) =>
        Assert.That(() => NativeKernelTable.Parse(json), Throws.TypeOf<FormatException>().With.Message.EqualTo("kernel table: " + message));

    [Test]
    public void PathsTheBuildDecidesComeFromTheFileItWroteAndOnlyForThoseLibraries()
    {
        string json = Table("interop_fake", 1, "interop_fake_isa", "interop_pi_count_fake", "interop_inv_fake")
            .Replace("\"isa_paths\": [\"scalar\"]", "\"isa_paths\": \"build\"", StringComparison.Ordinal);
        NativeKernelTable table = NativeKernelTable.Parse(json);
        NativeKernelLibraryInfo unbuilt = table.Library("interop_fake");
        Assert.That(unbuilt.IsaPathsFromBuild, Is.True);
        Assert.That(unbuilt.IsaPaths, Is.EqualTo(new[] { Isa.Scalar }), "without the build's file: the scalar path only");

        IReadOnlyDictionary<string, IReadOnlyList<Isa>> built = NativeKernelTable.ParseBuiltPaths(
            """{"interop_fake": ["scalar", "avx512"], "interop_native": ["scalar"]}""", "paths.json");
        NativeKernelTable overlaid = table.WithBuiltPaths(built);
        Assert.That(overlaid.Library("interop_fake").IsaPaths, Is.EqualTo(new[] { Isa.Scalar, Isa.Avx512 }));
        Assert.That(overlaid.Kernels.Single().Library, Is.SameAs(overlaid.Library("interop_fake")), "the kernel row runs on the overlaid library");
        Assert.That(table.Library("interop_fake").IsaPaths, Is.EqualTo(new[] { Isa.Scalar }), "the table itself is unchanged");

        // A library with its own list in the table keeps it, whatever the file says of it.
        NativeKernelTable fixedList = NativeKernelTable.Parse(Table("interop_native", 6, "interop_isa", "interop_pi_count_c", "interop_inv_c", paths: "\"scalar\", \"avx2\""));
        Assert.That(fixedList.WithBuiltPaths(built).Library("interop_native").IsaPaths, Is.EqualTo(new[] { Isa.Scalar, Isa.Avx2 }));
    }

    [TestCase("{\"interop_fake\": [\"scalar\"", "paths.json is not JSON")]
    [TestCase("[\"scalar\"]", "paths.json is not a JSON object")]
    [TestCase("{\"interop_fake\": \"scalar\"}", "paths.json: library 'interop_fake' needs an array of paths")]
    [TestCase("{\"interop_fake\": [\"scalar\", \"sse9\"]}", "'sse9' is not a path")]
    [TestCase("{\"interop_fake\": [\"avx2\"]}", "paths.json: library 'interop_fake': every library has the scalar path")]
    [TestCase("{\"interop_fake\": [\"scalar\", \"a\\nb\"]}", "paths.json: library 'interop_fake': 'a\\nb' is not a path")]
    [TestCase("{\"interop\\r\": [\"scalar\", 7]}", "paths.json: library 'interop\\r': '7' is not a path")]
    public void AMalformedFileOfBuiltPathsIsRefusedNamingIt(string json, string message) =>
        Assert.That(() => NativeKernelTable.ParseBuiltPaths(json, "paths.json"), Throws.TypeOf<FormatException>().With.Message.Contain(message));

    /// <summary>
    /// The file of paths the build wrote beside the libraries, broken (issue 20, property tests): the
    /// driver says so in one line and exits 1; it ended with an unhandled FormatException and its
    /// stack trace (SIGABRT, exit 134).
    /// </summary>
    [TestCase("{\"interop_rust\": [\"scalar\", \"sse9\"]}", "'sse9' is not a path")]
    [TestCase("[", "is not JSON")]
    [TestCase("[\"scalar\"]", "is not a JSON object")]
    public void ABrokenFileOfBuiltPathsEndsTheDriverWithOneLine(string json, string message)
    {
        string folder = Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!;
        foreach (string library in Directory.GetFiles(folder, "*.so"))
        {
            File.CreateSymbolicLink(Path.Combine(dir, Path.GetFileName(library)), library);
        }

        string file = Path.Combine(dir, NativeKernelTable.BuiltPathsFileName);
        File.WriteAllText(file, json);
        var (code, output, error) = DriverProcess.Run(["pi", "--darts", "1000"], new Dictionary<string, string> { ["INTEROP_NATIVE_DIR"] = dir });
        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.StartWith($"interop: error: kernel table: {file}").And.Contain(message).And.Contain("rebuild with ./build.sh"));
        Assert.That(error.TrimEnd('\n'), Does.Not.Contain('\n'), "one line, no stack trace");
    }

    [Test]
    public void TheDefaultTableHasThePathsThisBuildWrote()
    {
        string folder = Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!;
        string file = Path.Combine(folder, NativeKernelTable.BuiltPathsFileName);
        Assert.That(file, Does.Exist, "CMake writes the built paths beside the libraries");
        IReadOnlyDictionary<string, IReadOnlyList<Isa>> built = NativeKernelTable.ParseBuiltPaths(File.ReadAllText(file), file);
        string[] libraries = BuiltLibraries();
        foreach (NativeKernelLibraryInfo library in NativeKernelTable.Default.Libraries.Where(l => l.IsaPathsFromBuild))
        {
            if (libraries.Contains(library.Name))
            {
                Assert.That(library.IsaPaths, Is.EqualTo(built[library.Name]), library.Name);
            }
            else
            {
                Assert.That(built.ContainsKey(library.Name), Is.False, $"{library.Name} is not built, so the build wrote no paths for it");
            }
        }

        // The Rust library's paths, where it is built, are in the build info that `interop env` prints too.
        if (libraries.Contains("interop_rust"))
        {
            using JsonDocument info = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "interop-native-build.json")));
            Assert.That(info.RootElement.GetProperty("rust_isa_paths").GetString(), Is.EqualTo(string.Join(' ', built["interop_rust"].Select(IsaNames.Name))));
            Assert.That(info.RootElement.GetProperty("rust_compiler").GetString(), Does.StartWith("rustc ").And.Contain(" at /"));
        }
    }

    [Test]
    public void ATableThatIsNotJsonOrListsABackendTwiceIsRefused()
    {
        Assert.That(() => NativeKernelTable.Parse("{\"libraries\": []"), Throws.TypeOf<FormatException>().With.Message.Contain("not JSON"));
        string good = Table("interop_fake", 1, "interop_fake_isa", "interop_pi_count_fake", "interop_inv_fake");
        int kernels = good.IndexOf("\"kernels\": [", StringComparison.Ordinal) + "\"kernels\": [".Length;
        int rowEnd = good.LastIndexOf('}', good.LastIndexOf(']')) + 1;
        string row = good[kernels..rowEnd];
        string twice = good[..rowEnd] + "," + row.Replace("\"id\": \"test\"", "\"id\": \"other\"", StringComparison.Ordinal) + good[rowEnd..];
        Assert.That(() => NativeKernelTable.Parse(twice), Throws.TypeOf<FormatException>().With.Message.Contain("used twice"), twice);
    }

    [Test]
    public void AKernelLibraryOfItsOwnIsBoundByTheTableAlone()
    {
        string library = BuildStandIn();
        NativeKernelTable table = NativeKernelTable.Parse(Table("interop_standin_for_test", 1, "interop_standin_isa", "interop_pi_count_standin", "interop_inv_standin", "interop_standin_last_error", "\"scalar\", \"avx512\""));
        var backend = (NativeKernelBackend)BackendCatalog.Build(table).Single(b => b.Name == "test-kernel");
        string? before = Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR");
        Environment.SetEnvironmentVariable("INTEROP_NATIVE_DIR", library);
        try
        {
            backend.EnsureAvailable();
        }
        finally
        {
            Environment.SetEnvironmentVariable("INTEROP_NATIVE_DIR", before);
        }

        Assert.That(backend.CountInside(5, new IndexRange(10, 30), 2), Is.EqualTo(20));
        // A status is an exception in one place: bad arguments name the argument, the library's own
        // failure (a caught panic or exception) carries its message, a failing pivot its step.
        var e = Assert.Throws<NativeKernelException>(() => backend.CountInside(5, new IndexRange(0, 10), 0));
        Assert.That((e!.Status, e.Message), Is.EqualTo((-4, "interop_pi_count_standin: argument 4 (threads) was rejected")));
        e = Assert.Throws<NativeKernelException>(() => backend.CountInside(13, new IndexRange(0, 10), 1));
        Assert.That(e!.Status, Is.EqualTo(-1001));
        Assert.That(e.Message, Is.EqualTo("interop_pi_count_standin: internal error in libinterop_standin_for_test.so: panic: seed 13 is unlucky"));
        Assert.That(Assert.Throws<SingularMatrixException>(() => backend.Invert(new double[9], 3, 1))!.Step, Is.EqualTo(3));
        double[] two = [1, 2, 3, 4];
        backend.Invert(two, 2, 1);
        Assert.That(two, Is.EqualTo(new double[] { 4, 3, 2, 1 }), "the kernel worked on the caller's memory");

        // Its own ISA switch, through the table's prefix: auto is its best (the stand-in claims AVX-512
        // whatever the CPU, and lacks AVX2); a path it lacks runs its widest lower one, and says so.
        IsaSwitch.Apply(Isa.Auto, table);
        Assert.That((backend.PiIsa, backend.InvIsa), Is.EqualTo((Isa.Avx512, Isa.Avx512)));
        IsaSwitch.Apply(Isa.Scalar, table);
        Assert.That(backend.PiIsa, Is.EqualTo(Isa.Scalar));
        if (ManagedIsa.Supports(Isa.Avx2))
        {
            IsaSwitch.Apply(Isa.Auto, table);
            IsaSwitch.Apply(Isa.Avx2, table);
            Assert.That((backend.PiIsa, ManagedIsa.Active), Is.EqualTo((Isa.Scalar, Isa.Avx2)), "avx2 forced: the stand-in runs scalar, the others avx2");
        }
    }

    // The libraries CMake built (interop-native-build.json, beside them).
    private static string[] BuiltLibraries()
    {
        string path = Path.Combine(Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR")!, "interop-native-build.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("kernel_libraries").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static int InteropHeaderAbiVersion()
    {
        string header = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "native", "include", "interop.h"));
        const string Define = "#define INTEROP_ABI_VERSION ";
        int at = header.IndexOf(Define, StringComparison.Ordinal) + Define.Length;
        return int.Parse(header[at..header.IndexOf('\n', at)], System.Globalization.CultureInfo.InvariantCulture);
    }

    // A row's symbols map; a null symbol leaves its workload out.
    private static string Symbols(string? pi, string? inv) =>
        "{" + string.Join(", ", new[] { (Key: NativeKernelTable.Pi, Symbol: pi), (Key: NativeKernelTable.Inv, Symbol: inv) }
            .Where(s => s.Symbol is not null).Select(s => $"\"{s.Key}\": \"{s.Symbol}\"")) + "}";

    private static string Table(string library, int abi, string isaPrefix, string? pi, string? inv, string? lastError = null, string paths = "\"scalar\"", string? plan = null) => $$"""
        {
          "libraries": [
            {
              "name": "{{library}}",
              "abi_symbol": "{{isaPrefix.Replace("_isa", string.Empty, StringComparison.Ordinal)}}_abi_version",
              "abi_version": {{abi}},
              "isa_prefix": "{{isaPrefix}}",
              "last_error_symbol": {{(lastError is null ? "null" : $"\"{lastError}\"")}},
              "isa_paths": [{{paths}}]
            }
          ],
          "kernels": [
            {
              "backend": "test-kernel",
              "id": "test",
              "order": 99,
              "language": "C",
              "description": "a kernel for the test",
              "library": "{{library}}",
              "symbols": {{Symbols(pi, inv)}}{{(plan is null ? string.Empty : $",\n      \"inv_plan_prefix\": \"{plan}\"")}}
            }
          ]
        }
        """;

    // A kernel library as the contract for C++ and Rust describes one: own ABI version, own ISA switch
    // (scalar and AVX-512, no AVX2), a thread-local last error behind INTEROP_STATUS_INTERNAL. Its "inversion" swaps
    // the elements of a 2 x 2 matrix and fails at step 3 for anything larger.
    private string BuildStandIn()
    {
        string source = Path.Combine(dir, "standin.c");
        File.WriteAllText(source, """
            #include <stdint.h>
            #include <string.h>
            static _Thread_local char message[256];
            static int32_t active = 3;
            int32_t interop_standin_abi_version(void) { return 1; }
            int32_t interop_standin_isa_supported(int32_t isa) { return isa < 0 || isa > 3 ? -1 : isa != 2; }
            int32_t interop_standin_isa_select(int32_t isa) { if (isa < 0 || isa > 3) return -1; if (isa == 2) return 1; active = isa ? isa : 3; return 0; }
            int32_t interop_standin_isa_active(void) { return active; }
            int32_t interop_pi_count_standin(uint64_t seed, int64_t begin, int64_t end, int32_t threads, int64_t *inside) {
                if (begin < 0) return -2; if (end < begin) return -3; if (threads < 1) return -4; if (!inside) return -5;
                if (seed == 13) { strcpy(message, "panic: seed 13 is unlucky"); return -1001; }
                *inside = end - begin; return 0;
            }
            int32_t interop_inv_standin(int64_t n, double *a, int32_t threads) {
                if (n < 1) return -1; if (!a) return -2; if (threads < 1) return -3; if (n > 2) return 3;
                for (int64_t i = 0; i < n * n / 2; ++i) { double t = a[i]; a[i] = a[n * n - 1 - i]; a[n * n - 1 - i] = t; }
                return 0;
            }
            int32_t interop_standin_last_error(char *buffer, int32_t capacity) {
                size_t length = strlen(message);
                if (capacity > 0) { size_t n = length < (size_t)capacity - 1 ? length : (size_t)capacity - 1; memcpy(buffer, message, n); buffer[n] = 0; }
                return (int32_t)length;
            }
            """);
        string library = Path.Combine(dir, NativeLibraryProbe.FileName("interop_standin_for_test"));
        using (var cc = Process.Start("cc", ["-shared", "-fPIC", "-std=c11", "-o", library, source]))
        {
            if (cc is null || !cc.WaitForExit(60000) || cc.ExitCode != 0)
            {
                Assert.Ignore("no C compiler to build the stand-in library");
            }
        }

        return library;
    }
}
