namespace Interop.AbiCheck;

/// <summary>What the check compares: the headers, the built libraries, the managed bindings.</summary>
public sealed class AbiCheckInput
{
    /// <summary>The folder of the ABI headers (native/include): every *.h there is one library's ABI.</summary>
    public required string HeaderDirectory { get; init; }

    /// <summary>The folder of the built libraries (build/bin: libinterop_native.so, ...).</summary>
    public required string LibraryDirectory { get; init; }

    /// <summary>
    /// Every managed binding: those <see cref="BindingScanner"/> found, plus any registered by hand for
    /// symbols bound through function pointers. Bindings of other libraries (libc) are ignored.
    /// </summary>
    public required IReadOnlyList<ManagedBinding> Bindings { get; init; }

    /// <summary>Libraries whose absence fails the check; any other may be missing from a build (MPI, ...).</summary>
    public IReadOnlySet<string> RequiredLibraries { get; init; } = new HashSet<string> { AbiConvention.KernelsLibrary };
}

/// <summary>
/// The outcome: <see cref="Errors"/> (each names the function and what differs; empty when the ABI
/// holds) and <see cref="Notes"/> (what was checked or skipped, for the test log).
/// </summary>
public sealed record AbiReport(IReadOnlyList<string> Errors, IReadOnlyList<string> Notes);

/// <summary>
/// Compares, library by library, the three descriptions of one ABI:
///   header functions  must each be exported by the library and bound by at least one managed
///                     binding, whose return and parameter types all match (<see cref="SignatureMatcher"/>);
///   exports           every exported interop_* symbol must be declared in the library's header;
///   bindings          every binding must name a function of the header.
/// A library that is not built skips only its export checks, and only if it is optional.
/// </summary>
public static class AbiChecker
{
    public static AbiReport Check(AbiCheckInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<string>();
        var notes = new List<string>();

        var headers = new Dictionary<string, (string Header, IReadOnlyList<HeaderFunction> Functions)>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(input.HeaderDirectory, "*.h").Order(StringComparer.Ordinal))
        {
            var header = Path.GetFileName(path);
            if (AbiConvention.LibraryOfHeader(path) is not { } library)
            {
                errors.Add($"{header}: not an ABI header name (interop.h for libinterop_native, interop_X.h for libinterop_X)");
                continue;
            }

            if (headers.TryGetValue(library, out var other))
            {
                errors.Add($"{header}: describes {library} like {other.Header}; one header per library");
                continue;
            }

            headers[library] = (header, HeaderReader.Read(path));
        }

        var firstHeaderOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (_, (header, functions)) in headers.OrderBy(h => h.Value.Header, StringComparer.Ordinal))
        {
            foreach (var function in functions)
            {
                if (!firstHeaderOf.TryAdd(function.Name, header))
                {
                    errors.Add($"{function.Name}: declared in both {firstHeaderOf[function.Name]} and {header}");
                }
            }
        }

        var bindingsByLibrary = input.Bindings
            .Select(b => (Library: AbiConvention.Normalize(b.Library), Binding: b))
            .Where(b => AbiConvention.IsProjectLibrary(b.Library))
            .ToLookup(b => b.Library, b => b.Binding, StringComparer.Ordinal);

        // Every built library of the project, header or not (libinterop_x.so: interop_x).
        var builtLibraries = Directory.Exists(input.LibraryDirectory)
            ? Directory.GetFiles(input.LibraryDirectory)
                .Select(p => Path.GetFileName(p))
                .Select(f => (File: f, Library: AbiConvention.Normalize(f)))
                .Where(f => AbiConvention.IsProjectLibrary(f.Library) && AbiConvention.FileName(f.Library) == f.File)
                .Select(f => f.Library)
            : [];

        var libraries = headers.Keys
            .Concat(bindingsByLibrary.Select(g => g.Key))
            .Concat(builtLibraries)
            .Concat(input.RequiredLibraries)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        foreach (var library in libraries)
        {
            CheckLibrary(input, library, headers.TryGetValue(library, out var h) ? h.Functions : null, bindingsByLibrary[library].ToList(), errors, notes);
        }

        return new AbiReport(errors, notes);
    }

    private static void CheckLibrary(
        AbiCheckInput input, string library, IReadOnlyList<HeaderFunction>? functions, List<ManagedBinding> bindings, List<string> errors, List<string> notes)
    {
        var header = AbiConvention.HeaderOfLibrary(library);
        var file = AbiConvention.FileName(library);
        var path = Path.Combine(input.LibraryDirectory, file);
        IReadOnlySet<string>? exports = null;
        if (File.Exists(path))
        {
            exports = ElfExports.Read(path).Where(s => s.StartsWith(AbiConvention.Prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        }
        else if (input.RequiredLibraries.Contains(library))
        {
            errors.Add($"{file}: not found in {input.LibraryDirectory} (a required library: build it first)");
        }
        else
        {
            notes.Add($"{header}: {file} not built: exports not checked (an optional library)");
        }

        if (functions is null)
        {
            errors.Add($"{library}: no header {header} in {input.HeaderDirectory} describes this library");
            functions = [];
        }

        var declared = functions.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            var where = $"{function.Name} ({function.Header}:{function.Line})";
            if (exports is not null && !exports.Contains(function.Name))
            {
                errors.Add($"{where}: declared but not exported by {file}");
            }

            var bound = bindings.Where(b => b.Symbol == function.Name).ToList();
            if (bound.Count == 0)
            {
                errors.Add($"{where}: not bound (no [LibraryImport] or registered binding for {library})");
            }

            foreach (var binding in bound)
            {
                errors.AddRange(Differences(function, binding));
            }
        }

        foreach (var export in (exports ?? Enumerable.Empty<string>()).Where(e => !declared.Contains(e)).Order(StringComparer.Ordinal))
        {
            errors.Add($"{export}: exported by {file} but declared in no header ({header})");
        }

        foreach (var binding in bindings.Where(b => !declared.Contains(b.Symbol)))
        {
            var notExported = exports is not null && !exports.Contains(binding.Symbol) ? $" and not exported by {file}" : "";
            errors.Add($"{binding.Symbol}: bound ({binding.DeclaredAt}) but not declared in {header}{notExported}");
        }

        if (exports is not null || functions.Count > 0)
        {
            notes.Add($"{header}: {functions.Count} functions; {file}: {(exports is null ? "not built" : exports.Count + " interop_* exports")}; {bindings.Count} bindings");
        }
    }

    /// <summary>Every difference between one header function and one of its bindings, one message each.</summary>
    public static IEnumerable<string> Differences(HeaderFunction function, ManagedBinding binding)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(binding);
        if (function.Type.Variadic)
        {
            yield return $"{function.Name}: variadic ({function.Type.Display}), which no [LibraryImport] or function pointer can bind";
            yield break;
        }

        if (!SignatureMatcher.Matches(function.Return, binding.Return))
        {
            yield return $"{function.Name} return: header {function.Return.Display}, managed ({binding.DeclaredAt}) {binding.Return.Display}";
        }

        if (function.Parameters.Count != binding.Parameters.Count)
        {
            yield return $"{function.Name}: header has {function.Parameters.Count} parameters ({function.Type.ParameterList}), " +
                         $"managed ({binding.DeclaredAt}) has {binding.Parameters.Count} ({string.Join(", ", binding.Parameters.Select(p => p.Display))})";
            yield break;
        }

        for (var i = 0; i < function.Parameters.Count; i++)
        {
            if (!SignatureMatcher.Matches(function.Parameters[i], binding.Parameters[i]))
            {
                yield return $"{function.Name} parameter {i + 1}: header {function.Parameters[i].Display}, managed ({binding.DeclaredAt}) {binding.Parameters[i].Display}";
            }
        }
    }
}
