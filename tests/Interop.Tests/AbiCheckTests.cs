using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Interop.AbiCheck;
using Interop.Native;
using Microsoft.Win32.SafeHandles;

namespace Interop.Tests;

/// <summary>
/// The ABI check (issue 11): every function of native/include/*.h against the symbols the built
/// libraries export and the [LibraryImport] declarations of the built assemblies. The first test is
/// the guard; the others prove that the checker catches what it claims to (a planted wrong binding,
/// synthetic headers and libraries) and reads C types the way the compiler does.
/// </summary>
public sealed class AbiCheckTests
{
    /// <summary>
    /// Symbols bound without [LibraryImport], which reflection over the bindings cannot see: every
    /// library and kernel of the kernel table (native/kernels.json), bound by name with
    /// NativeLibrary.GetExport into the function pointers of <see cref="NativeKernelLibrary"/> and
    /// <see cref="NativeKernel"/>, and each row's symbol of each workload into the field marked
    /// [KernelEntryPoint] for that workload (<see cref="EntryPointFields"/>). Their types are read from
    /// those fields, so a changed call type is checked against the header like a changed [LibraryImport].
    /// </summary>
    private static unsafe IEnumerable<ManagedBinding> FunctionPointerBindings()
    {
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        static Type Field(Type owner, string name) =>
            owner.GetField(name, Private)?.FieldType ?? throw new MissingFieldException(owner.Name, name);
        static Type Property(Type owner, string name) =>
            owner.GetProperty(name)?.PropertyType ?? throw new MissingMemberException(owner.Name, name);

        var bindings = new List<ManagedBinding>();
        NativeKernelTable table = NativeKernelTable.Default;
        Type library = typeof(NativeKernelLibrary);
        foreach (NativeKernelLibraryInfo info in table.Libraries)
        {
            string at = $"NativeKernelLibrary, kernel table library {info.Name}";
            // The ABI version is called once through a local pointer of this type (NativeKernelLibrary.Load).
            bindings.Add(ManagedBinding.FromFunctionPointer(info.Name, info.AbiSymbol, typeof(delegate* unmanaged<int>), at));
            bindings.Add(ManagedBinding.FromFunctionPointer(info.Name, info.IsaPrefix + "_supported", Field(library, "isaSupported"), at));
            bindings.Add(ManagedBinding.FromFunctionPointer(info.Name, info.IsaPrefix + "_select", Field(library, "isaSelect"), at));
            bindings.Add(ManagedBinding.FromFunctionPointer(info.Name, info.IsaPrefix + "_active", Field(library, "isaActive"), at));
            if (info.LastErrorSymbol is string lastError)
            {
                bindings.Add(ManagedBinding.FromFunctionPointer(info.Name, lastError, Field(library, "lastError"), at));
            }
        }

        Type plan = typeof(NativeKernel.PlanFunctions);
        ILookup<string, FieldInfo> entryPoints = EntryPointFields().ToLookup(f => f.Workload, f => f.Field);
        foreach (NativeKernelInfo info in table.Kernels)
        {
            string at = $"NativeKernel, kernel table row {info.Backend}";
            // Each workload's symbol the row names, against every field its workload calls it through
            // (none: the header's function is "not bound", and the check fails).
            foreach (var (workload, symbol) in info.Symbols.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                foreach (FieldInfo field in entryPoints[workload])
                {
                    bindings.Add(ManagedBinding.FromFunctionPointer(info.Library.Name, symbol, field.FieldType, $"{field.DeclaringType!.Name}.{field.Name}, kernel table row {info.Backend}"));
                }
            }

            if (info.InvPlanPrefix is string prefix)
            {
                bindings.Add(ManagedBinding.FromFunctionPointer(info.Library.Name, prefix + "_create", Property(plan, "Create"), at));
                bindings.Add(ManagedBinding.FromFunctionPointer(info.Library.Name, prefix + "_run", Property(plan, "Run"), at));
                bindings.Add(ManagedBinding.FromFunctionPointer(info.Library.Name, prefix + "_destroy", Property(plan, "Destroy"), at));
            }
        }

        return bindings;
    }

    /// <summary>
    /// Every field of the product assemblies marked [KernelEntryPoint], with its workload: found, not listed,
    /// so that a new workload's entry point is checked without an edit here.
    /// </summary>
    private static IEnumerable<(string Workload, FieldInfo Field)> EntryPointFields()
    {
        const BindingFlags Fields = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return ProductAssemblies
            .Select(path => Assembly.Load(AssemblyName.GetAssemblyName(path)))
            .SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetFields(Fields))
            .Select(field => (Attribute: field.GetCustomAttribute<KernelEntryPointAttribute>(), Field: field))
            .Where(f => f.Attribute is not null)
            .Select(f => (f.Attribute!.Workload, f.Field))
            .OrderBy(f => f.Field.DeclaringType!.FullName, StringComparer.Ordinal)
            .ThenBy(f => f.Field.Name, StringComparer.Ordinal);
    }

    private static string HeaderDirectory => Path.Combine(TestEnvironment.RepositoryRoot, "native", "include");

    // The folder of the libraries the other tests load (INTEROP_NATIVE_DIR may also name the file itself).
    private static string LibraryDirectory
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("INTEROP_NATIVE_DIR");
            var path = string.IsNullOrEmpty(configured) ? TestEnvironment.BinDirectory : configured;
            return File.Exists(path) ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;
        }
    }

    // The product assemblies of this build: the Interop*.dll the test build compiled and copied beside
    // the tests (interop.dll is the driver). The planted assembly is in planted/, not among them.
    private static IReadOnlyList<string> ProductAssemblies =>
        Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => Path.GetFileName(p).StartsWith("interop", StringComparison.OrdinalIgnoreCase))
            .Where(p => Path.GetFileName(p) is not ("Interop.Tests.dll" or "Interop.AbiCheck.dll"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string PlantedAssembly => Path.Combine(AppContext.BaseDirectory, "planted", "Interop.AbiCheck.Planted.dll");

    private static readonly Lazy<IReadOnlyList<ManagedBinding>> ProductBindings =
        new(() => [.. BindingScanner.Scan(ProductAssemblies), .. FunctionPointerBindings()]);

    private static AbiReport CheckRealAbi(IEnumerable<ManagedBinding> extra) => AbiChecker.Check(new AbiCheckInput
    {
        HeaderDirectory = HeaderDirectory,
        LibraryDirectory = LibraryDirectory,
        Bindings = [.. ProductBindings.Value, .. extra],
    });

    [Test]
    public void HeadersLibrariesAndBindingsAgree()
    {
        var report = CheckRealAbi([]);
        foreach (var note in report.Notes)
        {
            TestContext.Out.WriteLine(note);
        }

        Assert.That(report.Errors, Is.Empty, "ABI mismatches:\n" + string.Join("\n", report.Errors));

        // Not a vacuous pass: the kernels' header was read, its library opened, its bindings found.
        Assert.That(ProductAssemblies.Select(Path.GetFileName), Does.Contain("Interop.Native.dll").And.Contain("Interop.Mpi.dll"));
        Assert.That(HeaderReader.Read(Path.Combine(HeaderDirectory, "interop.h")).Select(f => f.Name), Does.Contain("interop_inv_c"));
        Assert.That(ProductBindings.Value.Select(b => b.Symbol), Does.Contain("interop_inv_c").And.Contain("interop_mpi_init"));
        Assert.That(report.Notes, Has.Some.StartsWith("interop.h: ").And.Contains(" interop_* exports"));
        Assert.That(EntryPointFields().Select(f => f.Workload).Distinct(), Is.SupersetOf(NativeKernelTable.Default.Workloads), "an entry-point field for every workload of the kernel table");
    }

    [Test]
    public void APlantedWrongBindingIsCaughtAndNamed()
    {
        Assert.That(File.Exists(PlantedAssembly), Is.True, $"the test build should have copied {PlantedAssembly}");
        var report = CheckRealAbi(BindingScanner.Scan([PlantedAssembly]));

        var at = "in Interop.AbiCheck.Planted.dll";
        Assert.That(report.Errors, Is.EqualTo(new[]
        {
            $"interop_inv_c parameter 2: header double*, managed (Interop.AbiCheck.Planted.PlantedBindings.InvC {at}) long",
            $"interop_inv_gauss_jordan: bound (Interop.AbiCheck.Planted.PlantedBindings.InvGaussJordan {at}) but not declared in interop.h and not exported by libinterop_native.so",
        }));

        // Inspected, never loaded as a product assembly.
        Assert.That(AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name), Does.Not.Contain("Interop.AbiCheck.Planted"));
    }

    [Test]
    public void ExportsAreReadFromTheDynamicSymbolTableLikeNm()
    {
        var library = Path.Combine(LibraryDirectory, AbiConvention.FileName(AbiConvention.KernelsLibrary));
        var expected = Run("nm", "-D", "--defined-only", library)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1].Split('@')[0])
            .Where(name => name.StartsWith(AbiConvention.Prefix, StringComparison.Ordinal));

        var exports = ElfExports.Read(library);
        Assert.That(exports.Where(name => name.StartsWith(AbiConvention.Prefix, StringComparison.Ordinal)), Is.EquivalentTo(expected));
        Assert.That(exports, Does.Contain("interop_inv_c"));
    }

    [Test]
    public void AMissingClangIsReportedAsSuch()
    {
        var empty = Directory.CreateTempSubdirectory("interop-abi-path-").FullName;
        try
        {
            var e = Assert.Throws<AbiCheckException>(() => HeaderReader.FindClang(empty));
            Assert.That(e!.Message, Does.StartWith("clang not found on PATH (tried clang and clang-14)"));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', arguments)}: {error.Result}");
        return output;
    }

    /// <summary>
    /// The checker on headers and libraries made for the test: one header, interop.h, and the
    /// libinterop_native.so clang builds from a C file, in a temporary folder.
    /// </summary>
    public sealed unsafe class Synthetic
    {
        private const string Header = """
            #include <stdint.h>
            #include <stdio.h>
            typedef struct interop_ctx interop_ctx;
            int32_t interop_scale(int64_t n, double *a, double factor);
            int32_t interop_name(interop_ctx *ctx, const char *name, int32_t (*progress)(int32_t percent));
            static inline int32_t interop_helper(void) { return 0; }
            """;

        // Both functions of the header, as the header declares them.
        private const string Library = """
            #include <stdint.h>
            struct interop_ctx;
            int32_t interop_scale(int64_t n, double *a, double factor) { for (int64_t i = 0; i < n; i++) a[i] *= factor; return 0; }
            int32_t interop_name(struct interop_ctx *ctx, const char *name, int32_t (*progress)(int32_t)) { return ctx == 0 || name == 0 || progress == 0; }
            """;

        private static readonly ManagedBinding Scale = ManagedBinding.Create(
            "interop_native", "interop_scale", typeof(int), [typeof(long), typeof(double*), typeof(double)], "Scale");

        private static readonly ManagedBinding Name = ManagedBinding.FromFunctionPointer(
            "interop_native", "interop_name", typeof(delegate* unmanaged<nint, byte*, delegate* unmanaged<int, int>, int>), "Name");

        private string dir = string.Empty;

        [SetUp]
        public void CreateFolder() => dir = Directory.CreateTempSubdirectory("interop-abi-").FullName;

        [TearDown]
        public void RemoveFolder() => Directory.Delete(dir, recursive: true);

        private AbiReport Check(string header, string library, params ManagedBinding[] bindings)
        {
            File.WriteAllText(Path.Combine(dir, "interop.h"), header);
            if (library.Length > 0)
            {
                File.WriteAllText(Path.Combine(dir, "library.c"), library);
                Run(HeaderReader.FindClang(), "-shared", "-fPIC", "-o", Path.Combine(dir, "libinterop_native.so"), Path.Combine(dir, "library.c"));
            }

            return AbiChecker.Check(new AbiCheckInput { HeaderDirectory = dir, LibraryDirectory = dir, Bindings = bindings });
        }

        [Test]
        public void AMatchingAbiPasses()
        {
            var report = Check(Header, Library, Scale, Name);
            Assert.That(report.Errors, Is.Empty, string.Join("\n", report.Errors));
            Assert.That(report.Notes, Is.EqualTo(new[] { "interop.h: 2 functions; libinterop_native.so: 2 interop_* exports; 2 bindings" }));
        }

        [Test]
        public void OnlyTheHeadersOwnFunctionsCount()
        {
            // stdio.h declares printf and the rest; the static inline helper is no export.
            var functions = HeaderReader.Read(WriteHeader(Header));
            Assert.That(functions.Select(f => $"{f.Name} {f.Line}: {f.Type.Display}"), Is.EqualTo(new[]
            {
                "interop_scale 4: int32_t (int64_t, double*, double)",
                "interop_name 5: int32_t (struct interop_ctx*, const char*, int32_t (*)(int32_t))",
            }));
        }

        [Test]
        public void AChangedParameterTypeIsCaught()
        {
            var changed = Header.Replace("double *a, double factor", "float *a, double factor", StringComparison.Ordinal);
            var report = Check(changed, Library, Scale, Name);
            Assert.That(report.Errors, Is.EqualTo(new[] { "interop_scale parameter 2: header float*, managed (Scale) double*" }));
        }

        [Test]
        public void AChangedReturnTypeAndParameterCountAreCaught()
        {
            var wrong = ManagedBinding.Create("interop_native", "interop_scale", typeof(long), [typeof(long), typeof(double*)], "Scale");
            var report = Check(Header, Library, wrong, Name);
            Assert.That(report.Errors, Is.EqualTo(new[]
            {
                "interop_scale return: header int32_t, managed (Scale) long",
                "interop_scale: header has 3 parameters (int64_t, double*, double), managed (Scale) has 2 (long, double*)",
            }));
        }

        [Test]
        public void AFunctionMissingFromTheLibraryAndTheBindingsIsCaught()
        {
            var extended = Header + "\nint32_t interop_missing(void);\n";
            var report = Check(extended, Library, Scale, Name);
            Assert.That(report.Errors, Is.EqualTo(new[]
            {
                "interop_missing (interop.h:7): declared but not exported by libinterop_native.so",
                "interop_missing (interop.h:7): not bound (no [LibraryImport] or registered binding for interop_native)",
            }));
        }

        [Test]
        public void AnExtraExportIsCaught()
        {
            var report = Check(Header, Library + "int32_t interop_extra(void) { return 1; }\n", Scale, Name);
            Assert.That(report.Errors, Is.EqualTo(new[] { "interop_extra: exported by libinterop_native.so but declared in no header (interop.h)" }));
        }

        [Test]
        public void AMissingLibraryFailsOnlyWhenItIsRequired()
        {
            var required = Check(Header, "", Scale, Name);
            Assert.That(required.Errors, Is.EqualTo(new[] { $"libinterop_native.so: not found in {dir} (a required library: build it first)" }));

            File.Move(Path.Combine(dir, "interop.h"), Path.Combine(dir, "interop_extra.h"));
            var optional = AbiChecker.Check(new AbiCheckInput
            {
                HeaderDirectory = dir,
                LibraryDirectory = dir,
                Bindings = [Scale with { Library = "interop_extra" }, Name with { Library = "libinterop_extra.so" }],
                RequiredLibraries = new HashSet<string>(),
            });
            Assert.That(optional.Errors, Is.Empty, string.Join("\n", optional.Errors));
            Assert.That(optional.Notes, Does.Contain("interop_extra.h: libinterop_extra.so not built: exports not checked (an optional library)"));
        }

        [Test]
        public void AHeaderNamedAfterNoLibraryIsReported()
        {
            File.WriteAllText(Path.Combine(dir, "kernels.h"), "int kernels(void);\n");
            var report = AbiChecker.Check(new AbiCheckInput
            {
                HeaderDirectory = dir,
                LibraryDirectory = dir,
                Bindings = [],
                RequiredLibraries = new HashSet<string>(),
            });
            Assert.That(report.Errors, Is.EqualTo(new[] { "kernels.h: not an ABI header name (interop.h for libinterop_native, interop_X.h for libinterop_X)" }));
        }

        // One contract two libraries implement: a header named after no library (no libinterop_twice is built
        // or bound), as native/include/interop_ep.h is.
        private const string SharedHeader = """
            #include <stdint.h>
            int32_t interop_twice_native(int64_t n, double *a);
            int32_t interop_twice_extra(int64_t n, double *a);
            """;

        private static string Twice(string name) =>
            $"int32_t {name}(int64_t n, double *a) {{ for (int64_t i = 0; i < n; i++) a[i] *= 2; return 0; }}\n";

        private static ManagedBinding TwiceBinding(string library, string symbol) =>
            ManagedBinding.Create(library, symbol, typeof(int), [typeof(long), typeof(double*)], $"Twice in {library}");

        private static readonly ManagedBinding[] SharedBindings =
            [Scale, Name, TwiceBinding("interop_native", "interop_twice_native"), TwiceBinding("interop_extra", "interop_twice_extra")];

        // interop.h and libinterop_native.so as Check makes them, beside interop_twice.h and libinterop_extra.so.
        private AbiReport CheckShared(string sharedHeader, string nativeLibrary, string extraLibrary, params ManagedBinding[] bindings)
        {
            File.WriteAllText(Path.Combine(dir, "interop_twice.h"), sharedHeader);
            File.WriteAllText(Path.Combine(dir, "extra.c"), "#include <stdint.h>\n" + extraLibrary);
            Run(HeaderReader.FindClang(), "-shared", "-fPIC", "-o", Path.Combine(dir, "libinterop_extra.so"), Path.Combine(dir, "extra.c"));
            return Check(Header, nativeLibrary, bindings);
        }

        [Test]
        public void ASharedHeadersFunctionsBelongToTheLibrariesThatExportThem()
        {
            var report = CheckShared(SharedHeader, Library + Twice("interop_twice_native"), Twice("interop_twice_extra"), SharedBindings);
            Assert.That(report.Errors, Is.Empty, string.Join("\n", report.Errors));
            Assert.That(report.Notes, Is.EqualTo(new[]
            {
                "interop_twice.h: shared, 2 functions (interop_extra 1, interop_native 1)",
                "interop_extra.h: 0 functions (+1 of shared headers); libinterop_extra.so: 1 interop_* exports; 1 bindings",
                "interop.h: 2 functions (+1 of shared headers); libinterop_native.so: 3 interop_* exports; 3 bindings",
            }));
        }

        [Test]
        public void ASharedFunctionThatNoLibraryImplementsIsCaught()
        {
            var extended = SharedHeader + "\nint32_t interop_twice_fortran(int64_t n, double *a);\nint32_t interop_twice_cpp(int64_t n, double *a);\n";
            var report = CheckShared(extended, Library + Twice("interop_twice_native"), Twice("interop_twice_extra"), [.. SharedBindings, TwiceBinding("interop_native", "interop_twice_cpp")]);
            Assert.That(report.Errors, Is.EqualTo(new[]
            {
                "interop_twice_fortran (interop_twice.h:4): exported by no library and no binding names it, so no library implements this function of the shared header interop_twice.h",
                "interop_twice_cpp (interop_twice.h:5): declared but not exported by libinterop_native.so",
            }));
        }

        [Test]
        public void ASharedFunctionExportedTwiceOrBoundToTheWrongLibraryIsCaught()
        {
            var twice = CheckShared(SharedHeader, Library + Twice("interop_twice_native") + Twice("interop_twice_extra"), Twice("interop_twice_extra"), SharedBindings);
            Assert.That(twice.Errors, Is.EqualTo(new[]
            {
                "interop_twice_extra (interop_twice.h:3): exported by libinterop_extra.so and libinterop_native.so; a function of a shared header belongs to one library",
                "interop_twice_extra (interop_twice.h:3): not bound (no [LibraryImport] or registered binding for interop_native)",
            }));

            var wrong = CheckShared(SharedHeader, Library + Twice("interop_twice_native"), Twice("interop_twice_extra"), [Scale, Name, TwiceBinding("interop_native", "interop_twice_native"), TwiceBinding("interop_native", "interop_twice_extra")]);
            Assert.That(wrong.Errors, Is.EqualTo(new[]
            {
                "interop_twice_extra (interop_twice.h:3): not bound (no [LibraryImport] or registered binding for interop_extra)",
                "interop_twice_extra: bound (Twice in interop_native) but not declared in interop.h and not exported by libinterop_native.so",
            }));
        }

        private string WriteHeader(string text)
        {
            var path = Path.Combine(dir, "interop.h");
            File.WriteAllText(path, text);
            return path;
        }
    }

    /// <summary>The C type reader and the accepted managed spellings (see <see cref="SignatureMatcher"/>).</summary>
    public sealed unsafe class Types
    {
        private static readonly Dictionary<string, string> Typedefs = new()
        {
            ["int32_t"] = "int",
            ["int64_t"] = "long",
            ["uint64_t"] = "unsigned long",
            ["size_t"] = "unsigned long",
            ["interop_ctx"] = "struct interop_ctx",
            ["progress_fn"] = "int32_t (*)(int32_t)",
        };

        private static CType Parse(string text)
        {
            CTypeParser? parser = null;
            parser = new CTypeParser(name => Typedefs.TryGetValue(name, out var t) ? parser!.Parse(t) : null, longIs64Bits: true);
            return parser.Parse(text);
        }

        [TestCase("int32_t", "int32_t")]
        [TestCase("unsigned long long", "uint64_t")]
        [TestCase("signed char", "int8_t")]
        [TestCase("const char *const *", "const char* const*")]
        [TestCase("interop_ctx **", "struct interop_ctx**")]
        [TestCase("progress_fn", "int32_t (*)(int32_t)")]
        [TestCase("int32_t (*(void))(int32_t)", "int32_t (*)(int32_t) (void)")]
        [TestCase("int32_t (char *, ...)", "int32_t (char*, ...)")]
        [TestCase("void (double [4], int32_t (int32_t))", "void (double*, int32_t (*)(int32_t))")]
        public void ClangTypeTextIsReadWithTypedefsResolved(string text, string display) =>
            Assert.That(Parse(text).Display, Is.EqualTo(display));

        [Test]
        public void AFunctionPointerCannotPassWhatOnlyAMarshallerConverts()
        {
            var function = new HeaderFunction("interop_f", (CFunction)Parse("int32_t (const char *, double *)"), "interop.h", 1);
            var marshalled = ManagedBinding.Create("interop_native", "interop_f", typeof(int), [typeof(string), typeof(double).MakeByRefType()], "F");
            var raw = ManagedBinding.FromFunctionPointer("interop_native", "interop_f", typeof(delegate* unmanaged<byte*, double*, int>), "Table.F");
            var wrong = ManagedBinding.FromFunctionPointer("interop_native", "interop_f", typeof(delegate* unmanaged<string, out double, int>), "Table.F");

            Assert.That(AbiChecker.Differences(function, marshalled), Is.Empty);
            Assert.That(AbiChecker.Differences(function, raw), Is.Empty);
            Assert.That(AbiChecker.Differences(function, wrong), Is.EqualTo(new[]
            {
                "interop_f parameter 1: header const char*, managed (Table.F) string (not blittable: a function pointer passes it unmarshalled)",
                "interop_f parameter 2: header double*, managed (Table.F) ref double (not blittable: a function pointer passes it unmarshalled)",
            }));
        }

        private static IEnumerable<TestCaseData> Spellings()
        {
            TestCaseData Case(string c, Type managed, bool matches, UnmanagedType? marshalAs = null) =>
                new TestCaseData(c, managed, marshalAs, matches).SetArgDisplayNames(c, ManagedTypeNames.Name(managed), marshalAs?.ToString() ?? "-", matches.ToString());

            yield return Case("int64_t", typeof(long), true);
            yield return Case("int64_t", typeof(ulong), false);
            yield return Case("int64_t", typeof(double), false);
            yield return Case("int32_t", typeof(long), false);
            yield return Case("uint64_t", typeof(ulong), true);
            yield return Case("double *", typeof(double*), true);
            yield return Case("double *", typeof(double).MakeByRefType(), true);
            yield return Case("const double *", typeof(double[]), true);
            yield return Case("const double *", typeof(ReadOnlySpan<double>), true);
            yield return Case("double *", typeof(float*), false);
            yield return Case("double *", typeof(long), false);
            yield return Case("double **", typeof(double*), false);
            yield return Case("double **", typeof(double**), true);
            yield return Case("char *", typeof(byte*), true);
            yield return Case("char *", typeof(string), false);
            yield return Case("const char *", typeof(string), true);
            yield return Case("void *", typeof(void*), true);
            yield return Case("void *", typeof(nint), true);
            yield return Case("void *", typeof(double*), false);
            yield return Case("interop_ctx *", typeof(SafeFileHandle), true);
            yield return Case("interop_ctx **", typeof(SafeFileHandle).MakeByRefType(), true);
            yield return Case("interop_ctx *", typeof(nint), true);
            yield return Case("int32_t", typeof(SafeFileHandle), false);
            yield return Case("size_t", typeof(nuint), true);
            yield return Case("int64_t", typeof(nint), false);
            yield return Case("int32_t", typeof(bool), true, UnmanagedType.Bool);
            yield return Case("_Bool", typeof(bool), true, UnmanagedType.U1);
            yield return Case("_Bool", typeof(bool), false, UnmanagedType.Bool);
            yield return Case("int32_t", typeof(DayOfWeek), true);
            yield return Case("progress_fn", typeof(delegate* unmanaged<int, int>), true);
            yield return Case("progress_fn", typeof(delegate* unmanaged<long, int>), false);
            yield return Case("struct interop_ctx", typeof(Guid), false);
        }

        [TestCaseSource(nameof(Spellings))]
        public void ManagedTypesMatchTheCTypesTheyPass(string c, Type managed, UnmanagedType? marshalAs, bool matches) =>
            Assert.That(SignatureMatcher.Matches(Parse(c), ManagedType.Of(managed, marshalAs)), Is.EqualTo(matches));
    }
}
