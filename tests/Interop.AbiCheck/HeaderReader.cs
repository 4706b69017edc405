using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Interop.AbiCheck;

/// <summary>One function a header declares: its name, its type with typedefs resolved, and where.</summary>
public sealed record HeaderFunction(string Name, CFunction Type, string Header, int Line)
{
    public CType Return => Type.Return;

    public IReadOnlyList<CType> Parameters => Type.Parameters;
}

/// <summary>
/// Reads the functions a C header declares through clang's JSON AST dump
/// (clang -x c -std=c11 -fsyntax-only -Xclang -ast-dump=json): the compiler's own reading of the
/// header, macros and typedefs included, instead of a regex over its text. Only functions declared
/// in that header file count (not those of the system headers it includes), and not static ones
/// (a static inline helper is no export). One clang run per header and test run: the result is
/// cached by path, size and time of last change.
/// </summary>
public static class HeaderReader
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), Lazy<IReadOnlyList<HeaderFunction>>> Cache = new();

    /// <summary>The functions <paramref name="headerPath"/> declares, in declaration order.</summary>
    public static IReadOnlyList<HeaderFunction> Read(string headerPath)
    {
        var file = new FileInfo(Path.GetFullPath(headerPath));
        if (!file.Exists)
        {
            throw new AbiCheckException($"header {headerPath} does not exist");
        }

        var key = (file.FullName, file.Length, file.LastWriteTimeUtc);
        return Cache.GetOrAdd(key, k => new Lazy<IReadOnlyList<HeaderFunction>>(() => Parse(k.Path, RunClang(k.Path)))).Value;
    }

    /// <summary>clang on PATH (or on <paramref name="searchPath"/>), else clang-14 (Debian's versioned name); a clear failure if neither is there.</summary>
    public static string FindClang(string? searchPath = null)
    {
        var directories = (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "clang", "clang-14" })
        {
            foreach (var directory in directories)
            {
                var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? name + ".exe" : name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new AbiCheckException(
            "clang not found on PATH (tried clang and clang-14): the ABI check reads the headers through clang's AST; " +
            "install Debian's clang package (./build.sh installs it)");
    }

    private static string RunClang(string headerPath)
    {
        var start = new ProcessStartInfo(FindClang())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-x", "c", "-std=c11", "-fsyntax-only", "-Xclang", "-ast-dump=json", "-I", Path.GetDirectoryName(headerPath)!, headerPath })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new AbiCheckException($"could not start {start.FileName}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new AbiCheckException($"clang could not compile {headerPath} (exit code {process.ExitCode}):\n{errors.Result}");
        }

        return output;
    }

    /// <summary>The functions of <paramref name="headerPath"/> in a JSON AST dump of it (public for tests).</summary>
    public static IReadOnlyList<HeaderFunction> Parse(string headerPath, string astJson)
    {
        using var document = JsonDocument.Parse(astJson, new JsonDocumentOptions { MaxDepth = 4096 });
        var root = document.RootElement;
        var typedefs = new Dictionary<string, string>(StringComparer.Ordinal);
        var candidates = new List<(string Name, string Type, int Line)>();
        var walker = new LocationTracker();
        var fullPath = Path.GetFullPath(headerPath);

        foreach (var node in root.GetProperty("inner").EnumerateArray())
        {
            // The node's own location comes first in the dump; it sets the file the node is in.
            if (node.TryGetProperty("loc", out var loc))
            {
                walker.Walk(loc);
            }

            var inHeader = walker.File is { } file && string.Equals(Path.GetFullPath(file), fullPath, StringComparison.Ordinal);
            var line = walker.Line;
            walker.WalkExceptLoc(node);

            var kind = node.GetProperty("kind").GetString();
            var name = node.TryGetProperty("name", out var n) ? n.GetString() : null;
            if (name is null || !node.TryGetProperty("type", out var type))
            {
                continue;
            }

            if (kind == "TypedefDecl")
            {
                typedefs.TryAdd(name, type.GetProperty("qualType").GetString()!);
            }
            else if (kind == "FunctionDecl" && inHeader && !IsTrue(node, "isImplicit") &&
                     !(node.TryGetProperty("storageClass", out var storage) && storage.GetString() == "static") &&
                     candidates.TrueForAll(c => c.Name != name))
            {
                candidates.Add((name, type.GetProperty("qualType").GetString()!, line));
            }
        }

        var resolved = new Dictionary<string, CType?>(StringComparer.Ordinal);
        CTypeParser? parser = null;
        CType? Resolve(string typedefName)
        {
            if (resolved.TryGetValue(typedefName, out var known))
            {
                return known;
            }

            if (!typedefs.TryGetValue(typedefName, out var text))
            {
                return null;
            }

            resolved[typedefName] = new CUnsupported($"recursive typedef '{typedefName}'");
            var type = parser!.Parse(text);
            resolved[typedefName] = type;
            return type;
        }

        parser = new CTypeParser(Resolve, longIs64Bits: !OperatingSystem.IsWindows());
        var header = Path.GetFileName(fullPath);
        return candidates.Select(c => new HeaderFunction(
            c.Name,
            parser.Parse(c.Type) as CFunction ?? throw new AbiCheckException($"{c.Name} in {header}: '{c.Type}' is not a function type"),
            header,
            c.Line)).ToList();
    }

    private static bool IsTrue(JsonElement node, string property) =>
        node.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// Clang writes a location's "file" (and "line") only when it differs from the previous location
    /// it wrote, so the file of a node is known only by reading every location before it, in order.
    /// </summary>
    private sealed class LocationTracker
    {
        public string? File { get; private set; }

        public int Line { get; private set; }

        public void WalkExceptLoc(JsonElement node)
        {
            foreach (var property in node.EnumerateObject())
            {
                if (property.Name != "loc")
                {
                    Visit(property.Name, property.Value);
                }
            }
        }

        public void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    Visit(property.Name, property.Value);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }
            }
        }

        private void Visit(string name, JsonElement value)
        {
            switch (name)
            {
                // The file that included this one: no location of its own, and it does not reset the "last file".
                case "includedFrom":
                    return;
                case "file" when value.ValueKind == JsonValueKind.String:
                    File = value.GetString();
                    return;
                case "line" when value.ValueKind == JsonValueKind.Number:
                    Line = value.GetInt32();
                    return;
                default:
                    Walk(value);
                    return;
            }
        }
    }
}
