namespace Interop.AbiCheck;

/// <summary>What the check compares: the headers, the built libraries, the managed bindings.</summary>
public sealed class AbiCheckInput
{
    /// <summary>
    /// The folder of the ABI headers (native/include): every *.h there is one library's ABI
    /// (interop_X.h: libinterop_X), or a contract several libraries implement (a shared header, named after no library).
    /// </summary>
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
///   exports           every exported interop_* symbol must be declared in a header;
///   bindings          every binding must name a function the headers declare for its library.
/// A header named after a library (built, bound or required) is that library's own; any other
/// interop_X.h is a shared header, one contract whose functions several libraries implement
/// (interop_ep.h: interop_ep_c in libinterop_native, interop_ep_cpp in libinterop_cpp, ...): each of
/// its functions belongs to the one library that exports it (or, where that library is not built, the
/// one its bindings name), and one that no library exports and no binding names is an error.
/// A library that is not built skips only its export checks, and only if it is optional.
/// </summary>
public static class AbiChecker
{
    public static AbiReport Check(AbiCheckInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<string>();
        var notes = new List<string>();

        var bindingsByLibrary = input.Bindings
            .Select(b => (Library: AbiConvention.Normalize(b.Library), Binding: b))
            .Where(b => AbiConvention.IsProjectLibrary(b.Library))
            .ToLookup(b => b.Library, b => b.Binding, StringComparer.Ordinal);

        // Every built library of the project, header or not (libinterop_x.so: interop_x), with its interop_* exports.
        var exportsOf = (Directory.Exists(input.LibraryDirectory)
                ? Directory.GetFiles(input.LibraryDirectory)
                    .Select(p => Path.GetFileName(p))
                    .Select(f => (File: f, Library: AbiConvention.Normalize(f)))
                    .Where(f => AbiConvention.IsProjectLibrary(f.Library) && AbiConvention.FileName(f.Library) == f.File)
                    .Select(f => f.Library)
                : [])
            .Concat(input.RequiredLibraries)
            .Distinct(StringComparer.Ordinal)
            .Select(library => (Library: library, Path: Path.Combine(input.LibraryDirectory, AbiConvention.FileName(library))))
            .Where(l => File.Exists(l.Path))
            .ToDictionary(
                l => l.Library,
                l => (IReadOnlySet<string>)ElfExports.Read(l.Path).Where(s => s.StartsWith(AbiConvention.Prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);

        // A header is a library's own when that library is one the check knows of otherwise.
        var knownLibraries = exportsOf.Keys.Concat(bindingsByLibrary.Select(g => g.Key)).Concat(input.RequiredLibraries).ToHashSet(StringComparer.Ordinal);

        var headers = new Dictionary<string, (string Header, IReadOnlyList<HeaderFunction> Functions)>(StringComparer.Ordinal);
        var shared = new List<(string Header, IReadOnlyList<HeaderFunction> Functions)>();
        var firstHeaderOf = new Dictionary<string, string>(StringComparer.Ordinal);
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

            var functions = HeaderReader.Read(path);
            foreach (var function in functions)
            {
                if (!firstHeaderOf.TryAdd(function.Name, header))
                {
                    errors.Add($"{function.Name}: declared in both {firstHeaderOf[function.Name]} and {header}");
                }
            }

            if (knownLibraries.Contains(library))
            {
                headers[library] = (header, functions);
            }
            else
            {
                shared.Add((header, functions));
            }
        }

        var sharedFunctionsOf = AssignSharedFunctions(shared, exportsOf, bindingsByLibrary, errors, notes);

        var libraries = headers.Keys
            .Concat(sharedFunctionsOf.Keys)
            .Concat(knownLibraries)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        foreach (var library in libraries)
        {
            var own = headers.TryGetValue(library, out var h) ? h.Functions : null;
            var fromShared = sharedFunctionsOf.TryGetValue(library, out var s) ? s : [];
            var built = exportsOf.TryGetValue(library, out var e) ? e : null;
            CheckLibrary(input, library, own, fromShared, built, bindingsByLibrary[library].ToList(), errors, notes);
        }

        return new AbiReport(errors, notes);
    }

    // Each function of a shared header, given to the library that exports it, else to the one library its
    // bindings name (one not built: its exports are not checked; one built: it is "declared but not exported").
    private static Dictionary<string, List<HeaderFunction>> AssignSharedFunctions(
        List<(string Header, IReadOnlyList<HeaderFunction> Functions)> shared,
        Dictionary<string, IReadOnlySet<string>> exportsOf,
        ILookup<string, ManagedBinding> bindingsByLibrary,
        List<string> errors,
        List<string> notes)
    {
        var functionsOf = new Dictionary<string, List<HeaderFunction>>(StringComparer.Ordinal);
        foreach (var (header, functions) in shared)
        {
            foreach (var function in functions)
            {
                var where = $"{function.Name} ({function.Header}:{function.Line})";
                string[] exporters = [.. exportsOf.Where(e => e.Value.Contains(function.Name)).Select(e => e.Key).Order(StringComparer.Ordinal)];
                string[] bound = [.. bindingsByLibrary.Where(g => g.Any(b => b.Symbol == function.Name)).Select(g => g.Key).Order(StringComparer.Ordinal)];
                string[] owners = exporters.Length > 0 ? exporters : bound.Length == 1 ? bound : [];
                if (exporters.Length > 1)
                {
                    // Checked as each exporter's all the same, so that its exports are not also "declared in no header".
                    errors.Add($"{where}: exported by {string.Join(" and ", exporters.Select(AbiConvention.FileName))}; a function of a shared header belongs to one library");
                }
                else if (owners.Length == 0)
                {
                    var bindings = bound.Length == 0 ? "no binding names it" : $"bindings name {string.Join(" and ", bound)}";
                    errors.Add($"{where}: exported by no library and {bindings}, so no library implements this function of the shared header {header}");
                }

                foreach (var owner in owners)
                {
                    if (!functionsOf.TryGetValue(owner, out var list))
                    {
                        functionsOf[owner] = list = [];
                    }

                    list.Add(function);
                }
            }

            var implementers = functionsOf
                .Select(f => (Library: f.Key, Count: f.Value.Count(x => x.Header == header)))
                .Where(f => f.Count > 0)
                .OrderBy(f => f.Library, StringComparer.Ordinal)
                .Select(f => $"{f.Library} {f.Count}");
            notes.Add($"{header}: shared, {functions.Count} functions ({string.Join(", ", implementers)})");
        }

        return functionsOf;
    }

    private static void CheckLibrary(
        AbiCheckInput input,
        string library,
        IReadOnlyList<HeaderFunction>? ownFunctions,
        IReadOnlyList<HeaderFunction> sharedFunctions,
        IReadOnlySet<string>? exports,
        List<ManagedBinding> bindings,
        List<string> errors,
        List<string> notes)
    {
        var header = AbiConvention.HeaderOfLibrary(library);
        var file = AbiConvention.FileName(library);
        if (exports is null && input.RequiredLibraries.Contains(library))
        {
            errors.Add($"{file}: not found in {input.LibraryDirectory} (a required library: build it first)");
        }
        else if (exports is null)
        {
            notes.Add($"{header}: {file} not built: exports not checked (an optional library)");
        }

        if (ownFunctions is null && sharedFunctions.Count == 0)
        {
            errors.Add($"{library}: no header {header} in {input.HeaderDirectory} describes this library");
        }

        IReadOnlyList<HeaderFunction> functions = [.. ownFunctions ?? [], .. sharedFunctions];
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
            var fromShared = sharedFunctions.Count > 0 ? $" (+{sharedFunctions.Count} of shared headers)" : "";
            notes.Add($"{header}: {ownFunctions?.Count ?? 0} functions{fromShared}; {file}: {(exports is null ? "not built" : exports.Count + " interop_* exports")}; {bindings.Count} bindings");
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
