using System.Text.Json;
using Interop.Core;

namespace Interop.Native;

/// <summary>
/// A native kernel library of the table: where its file is (lib<c>Name</c>.so beside the driver),
/// the symbol that returns its ABI version and the version expected, the prefix of its
/// <c>_supported</c>/<c>_select</c>/<c>_active</c> instruction-set functions, its last-error
/// symbol (null: none) and its instruction-set paths.
/// </summary>
public sealed record NativeKernelLibraryInfo(
    string Name, string AbiSymbol, int AbiVersion, string IsaPrefix, string? LastErrorSymbol, IReadOnlyList<Isa> IsaPaths)
{
    /// <summary>The platform's file name ("libinterop_native.so").</summary>
    public string FileName => NativeLibraryProbe.FileName(Name);

    /// <summary>
    /// Whether the build decides the paths (the table's <c>"isa_paths": "build"</c>: they depend on the
    /// toolchain, as Rust's AVX-512 path does): <see cref="IsaPaths"/> is then what the build wrote
    /// beside the libraries (<see cref="NativeKernelTable.BuiltPathsFileName"/>), or only the scalar
    /// path where it wrote nothing.
    /// </summary>
    public bool IsaPathsFromBuild { get; init; }
}

/// <summary>
/// A kernel row of the table: one backend, its entry point for each workload it runs
/// (<see cref="Symbols"/>, keyed by workload: <see cref="NativeKernelTable.Pi"/>,
/// <see cref="NativeKernelTable.Inv"/>, or any other workload's name), all in one library. A row may
/// offer any non-empty subset of the workloads; the backend then runs only those.
/// </summary>
public sealed record NativeKernelInfo(
    string Backend, string Id, int Order, string Description, NativeKernelLibraryInfo Library, IReadOnlyDictionary<string, string> Symbols)
{
    /// <summary>The language of the kernel's code, the group `interop --help` lists its backend under ("C/OpenMP", "Rust").</summary>
    public required string Language { get; init; }

    /// <summary>
    /// The prefix of a reusable inversion plan's <c>_create</c>/<c>_run</c>/<c>_destroy</c>
    /// (<see cref="NativeInversePlan"/>), when the kernel offers one; null: each inversion calls
    /// its inversion symbol.
    /// </summary>
    public string? InvPlanPrefix { get; init; }

    /// <summary>Whether the row names an entry point for <paramref name="workload"/> ("pi", "inv", ...).</summary>
    public bool Offers(string workload) => Symbols.ContainsKey(workload);

    /// <summary>The row's entry point for <paramref name="workload"/>, or null when it offers none.</summary>
    public string? Symbol(string workload) => Symbols.GetValueOrDefault(workload);
}

/// <summary>
/// native/kernels.json, the native kernels as data: each row becomes a backend, bound by symbol, so a
/// new kernel library is a row there and no class or binding here. The driver reads the copy embedded
/// at build time (<see cref="Default"/>); CMake reads the same file for the CTest suites and the bench.
/// A row's <c>symbols</c> name its entry point per workload ({"pi": ..., "inv": ...}); a workload it
/// leaves out is one its backend does not run. A workload key is any plain identifier: the table does
/// not know the driver's workloads (a test checks that each key of the embedded table is one the
/// driver registers), so a new workload's rows need no edit here. The fields only CMake uses (<c>target</c>,
/// <c>test_orders</c>) are ignored here; the C programs ignore <c>inv_plan_prefix</c> (they call the
/// plain inversion, which the plan's library also exports).
/// A library whose paths the build decides gets them from the file the build wrote beside it
/// (<see cref="BuiltPathsFileName"/>, read by <see cref="Default"/>).
/// </summary>
public sealed class NativeKernelTable
{
    /// <summary>
    /// The paths of the libraries whose paths the build decides, written by CMake beside the libraries
    /// (cmake/InteropKernelTable.cmake): <c>{"interop_rust": ["scalar", "avx2", "avx512"]}</c>.
    /// </summary>
    public const string BuiltPathsFileName = "interop-kernel-paths.json";

    /// <summary>The workload key of Monte Carlo pi in a row's <c>symbols</c>.</summary>
    public const string Pi = "pi";

    /// <summary>The workload key of matrix inversion in a row's <c>symbols</c>.</summary>
    public const string Inv = "inv";

    private const string ResourceName = "Interop.Native.kernels.json";

    private static readonly Lazy<NativeKernelTable> Embedded = new(() =>
    {
        using Stream stream = typeof(NativeKernelTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the kernel table {ResourceName} is not embedded in {typeof(NativeKernelTable).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        NativeKernelTable table = Parse(reader.ReadToEnd());
        // Each such library's paths from the folder it will be loaded from ($INTEROP_NATIVE_DIR, then
        // beside the driver: the first of them that holds its file), so that they describe that build.
        var built = new Dictionary<string, IReadOnlyList<Isa>>();
        foreach (NativeKernelLibraryInfo library in table.Libraries.Where(l => l.IsaPathsFromBuild))
        {
            string? folder = Path.GetDirectoryName(NativeLibraryProbe.Locate(library.FileName, NativeLibraries.OverrideVariable) ?? string.Empty);
            string file = Path.Combine(folder ?? string.Empty, BuiltPathsFileName);
            if (!string.IsNullOrEmpty(folder) && File.Exists(file)
                && ReadBuiltPaths(file).TryGetValue(library.Name, out IReadOnlyList<Isa>? paths))
            {
                built[library.Name] = paths;
            }
        }

        return table.WithBuiltPaths(built);
    });

    private NativeKernelTable(IReadOnlyList<NativeKernelLibraryInfo> libraries, IReadOnlyList<NativeKernelInfo> kernels)
    {
        Libraries = libraries;
        Kernels = kernels;
    }

    /// <summary>The table this driver was built with, with the paths the native build wrote for the libraries whose paths it decides.</summary>
    public static NativeKernelTable Default => Embedded.Value;

    public IReadOnlyList<NativeKernelLibraryInfo> Libraries { get; }

    /// <summary>The kernel rows, in the table's order.</summary>
    public IReadOnlyList<NativeKernelInfo> Kernels { get; }

    /// <summary>The workload keys the rows name, each once, in the order they first appear.</summary>
    public IReadOnlyList<string> Workloads => [.. Kernels.SelectMany(k => k.Symbols.Keys).Distinct()];

    /// <summary>The library named <paramref name="name"/> (e.g. "interop_native").</summary>
    public NativeKernelLibraryInfo Library(string name) =>
        Libraries.FirstOrDefault(l => l.Name == name)
        ?? throw new InvalidOperationException($"the kernel table has no library '{name}'");

    /// <summary>The kernel whose backend name is <paramref name="backend"/> (e.g. "c-openmp").</summary>
    public NativeKernelInfo Kernel(string backend) =>
        Kernels.FirstOrDefault(k => k.Backend == backend)
        ?? throw new InvalidOperationException($"the kernel table has no kernel '{backend}'");

    /// <summary>Reads a table; anything malformed is a <see cref="FormatException"/> naming the row and field.</summary>
    public static NativeKernelTable Parse(string json)
    {
        using JsonDocument document = ParseDocument(json);
        JsonElement root = document.RootElement;
        var libraries = new List<NativeKernelLibraryInfo>();
        foreach (JsonElement library in Array(root, "libraries", "the table"))
        {
            string name = Text(library, "name", "a library");
            string where = $"library '{DisplayText.Printable(name)}'";
            if (libraries.Any(l => l.Name == name))
            {
                throw new FormatException($"kernel table: {where} is listed twice");
            }

            // "build": the build decides the paths (WithBuiltPaths); until it says, the scalar path only.
            bool fromBuild = library.TryGetProperty("isa_paths", out JsonElement marker) && marker.ValueKind == JsonValueKind.String;
            if (fromBuild && marker.GetString() != "build")
            {
                throw new FormatException($"kernel table: {where}: isa_paths is a list or \"build\", not '{DisplayText.Printable(marker.GetString() ?? string.Empty)}'");
            }

            Isa[] paths = fromBuild ? [Isa.Scalar] : Paths(Array(library, "isa_paths", where), where);
            libraries.Add(new NativeKernelLibraryInfo(
                Symbol(library, "name", where),
                Symbol(library, "abi_symbol", where),
                Integer(library, "abi_version", where),
                Symbol(library, "isa_prefix", where),
                library.TryGetProperty("last_error_symbol", out JsonElement lastError) && lastError.ValueKind != JsonValueKind.Null
                    ? Symbol(library, "last_error_symbol", where)
                    : null,
                paths)
            {
                IsaPathsFromBuild = fromBuild,
            });
        }

        var kernels = new List<NativeKernelInfo>();
        foreach (JsonElement kernel in Array(root, "kernels", "the table"))
        {
            string backend = Text(kernel, "backend", "a kernel");
            string where = $"kernel '{DisplayText.Printable(backend)}'";
            string libraryName = Text(kernel, "library", where);
            IReadOnlyDictionary<string, string> symbols = Symbols(kernel, where);
            var info = new NativeKernelInfo(
                backend,
                Symbol(kernel, "id", where),
                Integer(kernel, "order", where),
                Text(kernel, "description", where),
                libraries.FirstOrDefault(l => l.Name == libraryName)
                    ?? throw new FormatException($"kernel table: {where} names library '{DisplayText.Printable(libraryName)}', which the table does not list"),
                symbols)
            {
                Language = Text(kernel, "language", where),
                InvPlanPrefix = kernel.TryGetProperty("inv_plan_prefix", out JsonElement plan) && plan.ValueKind != JsonValueKind.Null
                    ? Symbol(kernel, "inv_plan_prefix", where)
                    : null,
            };
            if (info.InvPlanPrefix is not null && !info.Offers(Inv))
            {
                throw new FormatException($"kernel table: {where}: inv_plan_prefix without an '{Inv}' symbol");
            }

            if (kernels.Any(k => k.Backend.Equals(backend, StringComparison.OrdinalIgnoreCase) || k.Id == info.Id))
            {
                throw new FormatException($"kernel table: {where}: its backend name or id '{DisplayText.Printable(info.Id)}' is used twice");
            }

            kernels.Add(info);
        }

        return new NativeKernelTable(libraries, kernels);
    }

    /// <summary>
    /// Reads a file of built paths (<see cref="BuiltPathsFileName"/>): an object of library names and
    /// their path lists. Anything malformed is a <see cref="FormatException"/> naming <paramref name="source"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Isa>> ParseBuiltPaths(string json, string source)
    {
        using JsonDocument document = ParseDocument(json, source);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"kernel table: {source} is not a JSON object of libraries and their paths");
        }

        var built = new Dictionary<string, IReadOnlyList<Isa>>();
        foreach (JsonProperty library in document.RootElement.EnumerateObject())
        {
            string libraryWhere = $"{source}: library '{DisplayText.Printable(library.Name)}'";
            built[library.Name] = library.Value.ValueKind == JsonValueKind.Array
                ? Paths(library.Value.EnumerateArray(), libraryWhere)
                : throw new FormatException($"kernel table: {libraryWhere} needs an array of paths");
        }

        return built;
    }

    // The build's file of paths, read as the driver starts: a broken one is a broken build, said in
    // one line with what mends it (not a stack trace from wherever the table is first used).
    private static IReadOnlyDictionary<string, IReadOnlyList<Isa>> ReadBuiltPaths(string file)
    {
        const string Mend = "the build writes this file beside the libraries: rebuild with ./build.sh";
        try
        {
            return ParseBuiltPaths(File.ReadAllText(file), file);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{e.Message} ({Mend})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"kernel table: {file} cannot be read: {DisplayText.Printable(e.Message, max: 200)} ({Mend})", e);
        }
    }

    /// <summary>
    /// This table with the paths <paramref name="built"/> names for the libraries whose paths the
    /// build decides; the others keep the table's own lists (a name the table gives a list is not the
    /// build's to change).
    /// </summary>
    public NativeKernelTable WithBuiltPaths(IReadOnlyDictionary<string, IReadOnlyList<Isa>> built)
    {
        NativeKernelLibraryInfo[] libraries = [.. Libraries.Select(l =>
            l.IsaPathsFromBuild && built.TryGetValue(l.Name, out IReadOnlyList<Isa>? paths) ? l with { IsaPaths = paths } : l)];
        NativeKernelInfo[] kernels = [.. Kernels.Select(k => k with { Library = libraries.Single(l => l.Name == k.Library.Name) })];
        return new NativeKernelTable(libraries, kernels);
    }

    private static Isa[] Paths(JsonElement.ArrayEnumerator list, string where)
    {
        Isa[] paths = [.. list.Select(p => ParsePath(p, where))];
        return paths.Contains(Isa.Scalar)
            ? paths
            : throw new FormatException($"kernel table: {where}: every library has the scalar path");
    }

    private static JsonDocument ParseDocument(string json, string? source = null)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"kernel table: {(source is null ? string.Empty : source + " is ")}not JSON ({DisplayText.Printable(e.Message, max: 200)})", e);
        }
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement parent, string name, string where) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new FormatException($"kernel table: {where} needs an array '{name}'");

    private static string Text(JsonElement parent, string name, string where) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement value)
            && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"kernel table: {where} needs a non-empty string '{name}'");

    // Names that go to dlsym and into file names: C identifiers only.
    private static string Symbol(JsonElement parent, string name, string where) => Identifier(Text(parent, name, where), name, where);

    private static string Identifier(string text, string name, string where) =>
        (char.IsAsciiLetter(text[0]) || text[0] == '_') && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? text
            : throw new FormatException($"kernel table: {where}: {name} '{DisplayText.Printable(text)}' is not a C identifier");

    // A row's entry points, {"<workload>": "<symbol>"}: at least one, each keyed by a plain identifier
    // (a workload's name: lower-case letters, digits, '_'), each symbol a C identifier.
    private static Dictionary<string, string> Symbols(JsonElement kernel, string where)
    {
        if (kernel.ValueKind != JsonValueKind.Object || !kernel.TryGetProperty("symbols", out JsonElement map) || map.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"kernel table: {where} needs an object 'symbols' of workloads and their symbols");
        }

        var symbols = new Dictionary<string, string>();
        foreach (JsonProperty entry in map.EnumerateObject())
        {
            if (!IsWorkloadKey(entry.Name))
            {
                throw new FormatException($"kernel table: {where}: symbols: '{DisplayText.Printable(entry.Name)}' is not a workload name (lower-case letters, digits and '_', a letter first)");
            }

            if (symbols.ContainsKey(entry.Name))
            {
                throw new FormatException($"kernel table: {where}: symbols: '{entry.Name}' is named twice");
            }

            symbols[entry.Name] = entry.Value.ValueKind == JsonValueKind.String && entry.Value.GetString() is { Length: > 0 } symbol
                ? Identifier(symbol, entry.Name, $"{where}: symbols")
                : throw new FormatException($"kernel table: {where}: symbols: '{entry.Name}' needs a non-empty string");
        }

        return symbols.Count > 0
            ? symbols
            : throw new FormatException($"kernel table: {where}: symbols names no workload");
    }

    private static bool IsWorkloadKey(string key) =>
        key.Length > 0 && char.IsAsciiLetterLower(key[0]) && key.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    private static int Integer(JsonElement parent, string name, string where) =>
        parent.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)
            ? number
            : throw new FormatException($"kernel table: {where} needs an integer '{name}'");

    private static Isa ParsePath(JsonElement path, string where)
    {
        string? name = path.ValueKind == JsonValueKind.String ? path.GetString() : null;
        foreach (Isa isa in IsaNames.Paths.Where(p => IsaNames.Name(p) == name))
        {
            return isa;
        }

        throw new FormatException($"kernel table: {where}: '{DisplayText.Printable(name ?? path.GetRawText())}' is not a path ({string.Join(", ", IsaNames.Paths.Select(IsaNames.Name))})");
    }
}
