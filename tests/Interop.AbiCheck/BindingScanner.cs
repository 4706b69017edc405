using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Interop.AbiCheck;

/// <summary>
/// Finds the [LibraryImport] (and hand-written [DllImport]) declarations of built assemblies by
/// reflection. The assemblies are loaded into a collectible context of their own, for inspection
/// only: nothing in them runs, and the test process's own copies are not touched.
/// </summary>
public static class BindingScanner
{
    private const BindingFlags AllMethods =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    /// <summary>The bindings declared in the assemblies at <paramref name="assemblyPaths"/>, in a stable order.</summary>
    public static IReadOnlyList<ManagedBinding> Scan(IEnumerable<string> assemblyPaths)
    {
        var paths = assemblyPaths.Select(Path.GetFullPath).ToList();
        var context = new InspectionContext(paths);
        try
        {
            var bindings = new List<ManagedBinding>();
            foreach (var path in paths)
            {
                var assembly = context.LoadFromAssemblyPath(path);
                Type[] types;
                try
                {
                    types = assembly.GetTypes();
                }
                catch (ReflectionTypeLoadException e)
                {
                    throw new AbiCheckException(
                        $"cannot read the types of {path}: {string.Join("; ", e.LoaderExceptions.Select(x => x?.Message).Distinct())}", e);
                }

                foreach (var type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
                {
                    foreach (var method in type.GetMethods(AllMethods).OrderBy(m => m.MetadataToken))
                    {
                        if (Describe(method, Path.GetFileName(path)) is { } binding)
                        {
                            bindings.Add(binding);
                        }
                    }
                }
            }

            return bindings;
        }
        finally
        {
            context.Unload();
        }
    }

    private static ManagedBinding? Describe(MethodInfo method, string assemblyFile)
    {
        string library;
        string? entryPoint;
        var strings = StringMarshalling.Custom;
        if (method.GetCustomAttribute<LibraryImportAttribute>() is { } import)
        {
            (library, entryPoint, strings) = (import.LibraryName, import.EntryPoint, import.StringMarshalling);
        }
        else if ((method.Attributes & MethodAttributes.PinvokeImpl) != 0 && !method.Name.Contains('<', StringComparison.Ordinal) &&
                 method.GetCustomAttribute<DllImportAttribute>() is { } dllImport)
        {
            // A [DllImport] written by hand; those the [LibraryImport] generator emits are local functions
            // ("<InvC>g____PInvoke|...") of bindings already described by their [LibraryImport].
            (library, entryPoint) = (dllImport.Value, dllImport.EntryPoint);
            strings = dllImport.CharSet == CharSet.Unicode ? StringMarshalling.Utf16 : StringMarshalling.Custom;
        }
        else
        {
            return null;
        }

        var declaredAt = $"{method.DeclaringType?.FullName?.Replace('+', '.')}.{method.Name} in {assemblyFile}";
        return new ManagedBinding(
            library,
            entryPoint ?? method.Name,
            Describe(method.ReturnParameter, strings),
            method.GetParameters().Select(p => Describe(p, strings)).ToList(),
            declaredAt);
    }

    private static ManagedType Describe(ParameterInfo parameter, StringMarshalling strings)
    {
        var type = parameter.ParameterType;
        var marshalAs = parameter.GetCustomAttribute<MarshalAsAttribute>()?.Value;
        var modifier = !type.IsByRef ? ""
            : parameter.IsOut && !parameter.IsIn ? "out "
            : parameter.IsIn ? "in "
            : "ref ";
        return new ManagedType(type, modifier + ManagedTypeNames.Name(type), marshalAs, strings);
    }

    // Resolves an inspected assembly's references from the folders of the inspected assemblies first
    // (Interop.Native.dll's Interop.Core.dll), then from the framework.
    private sealed class InspectionContext(IReadOnlyList<string> paths) : AssemblyLoadContext("abi-check", isCollectible: true)
    {
        private readonly string[] directories = paths.Select(p => Path.GetDirectoryName(p)!).Distinct().ToArray();

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            foreach (var directory in directories)
            {
                var candidate = Path.Combine(directory, assemblyName.Name + ".dll");
                if (File.Exists(candidate))
                {
                    return LoadFromAssemblyPath(candidate);
                }
            }

            return null;
        }
    }
}
