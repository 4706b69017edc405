using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Interop.Native;

namespace Interop.Tests;

/// <summary>
/// Property tests of the kernel table's readers (issue 20): native/kernels.json and the paths the
/// build writes (interop-kernel-paths.json), mutated field by field and character by character, are
/// read or refused with one <see cref="FormatException"/> of one line naming the table, never
/// another exception; a row read names a symbol for one or more known workloads (issue 21: the
/// mutations include rows' symbol maps cut to one workload, or naming an unknown one).
/// </summary>
[Category("Property")]
public sealed class KernelTablePropertyTests
{
    private static readonly string TableText = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "native", "kernels.json"));

    private const string BuiltPathsText = """{"interop_rust": ["scalar", "avx2", "avx512"], "interop_cpp": ["scalar"]}""";

    // Values put in place of a field, a row or the whole document: wrong kinds, empty, control characters, names that are not symbols.
    private static readonly string[] Replacements =
    [
        "null", "true", "0", "-1", "2147483648", "1.5", "1e400", "\"\"", "\"a\\nb\"", "\"\\u0000\"", "\"\\u2028x\"", "\"x y\"", "\"9abc\"",
        "\"build\"", "\"scalar\"", "\"sse9\"", "[]", "[\"scalar\"]", "[\"avx2\"]", "[1]", "[null]", "{}", "{\"name\": \"a\\nb\"}",
        "\"interop_native\"", "\"c-openmp\"", "\"C-OpenMP\"",
        "{\"pi\": \"interop_pi_count_c\"}", "{\"inv\": \"interop_inv_c\"}", "{\"ep\": \"interop_ep\"}", "{\"pi\": 1}", "{\"pi\": \"a b\"}",
    ];

    /// <summary>The JSON document after 1 to 3 edits of its tree: a value replaced, a property or item removed, an item repeated.</summary>
    private static Gen<string> TreeMutations(string json) =>
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.OneOf(Replacements)).Array[1, 3]
        select EditTree(json, edits);

    /// <summary>The JSON text after 1 to 4 character edits (most leave it not JSON, which must be refused as such).</summary>
    private static Gen<string> TextMutations(string json) =>
        from edits in Gen.Select(Gen.Int[0, 2], Gen.Int[0, int.MaxValue], Gen.OneOf("{}[]\":,\\\n\0 a9-é\u2028".ToCharArray())).Array[1, 4]
        select EditText(json, edits);

    private static string EditTree(string json, (int Kind, int Where, string Value)[] edits)
    {
        JsonNode root = JsonNode.Parse(json)!;
        foreach ((int kind, int where, string value) in edits)
        {
            List<JsonNode> nodes = [.. Descendants(root)];
            JsonNode target = nodes[where % nodes.Count];
            JsonNode? replacement = JsonNode.Parse(value);
            switch (target.Parent)
            {
                case null:
                    root = replacement ?? root;
                    break;
                case JsonObject parent when kind == 1:
                    parent.Remove(target.GetPropertyName());
                    break;
                case JsonArray parent when kind == 1:
                    parent.Remove(target);
                    break;
                case JsonArray parent when kind == 2:
                    parent.Add(target.DeepClone());
                    break;
                case JsonObject parent:
                    parent[target.GetPropertyName()] = replacement;
                    break;
                case JsonArray parent:
                    parent[parent.IndexOf(target)] = replacement;
                    break;
            }
        }

        return root.ToJsonString();
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (JsonNode? child in children.ToList())
        {
            if (child is not null)
            {
                foreach (JsonNode d in Descendants(child))
                {
                    yield return d;
                }
            }
        }
    }

    private static string EditText(string json, (int Kind, int Where, char Char)[] edits)
    {
        var text = new StringBuilder(json);
        foreach ((int kind, int where, char c) in edits)
        {
            int at = where % Math.Max(1, text.Length);
            switch (kind)
            {
                case 0 when text.Length > 0: text[at] = c; break;
                case 1: text.Insert(at, c); break;
                case 2 when text.Length > 0: text.Remove(at, 1); break;
            }
        }

        return text.ToString();
    }

    private static void ReadOrRefuse(Action read)
    {
        try
        {
            read();
        }
        catch (FormatException e)
        {
            Assert.That(e.Message, Does.StartWith("kernel table: "));
            Assert.That(e.Message, Does.Not.Contain('\n').And.Not.Contain('\r').And.Not.Contain('\u2028').And.Not.Contain('\0'), "one line");
        }
    }

    [Test]
    public void AMutatedTableIsReadOrRefusedWithOneLine()
    {
        Gen<string> tables = Gen.Frequency((3, TreeMutations(TableText)), (1, TextMutations(TableText)));
        PropertyCheck.Run(tables, json => ReadOrRefuse(() =>
        {
            NativeKernelTable table = NativeKernelTable.Parse(json);
            Assert.That(table.Kernels.Select(k => k.Library), Is.All.Not.Null);
            // A row read runs at least one workload, each a known one, and has a plan only with an inversion.
            foreach (NativeKernelInfo row in table.Kernels)
            {
                Assert.That(row.Symbols.Keys, Is.Not.Empty.And.All.Match("^[a-z][a-z0-9_]*$"), row.Backend);
                Assert.That(row.InvPlanPrefix is null || row.Offers(NativeKernelTable.Inv), Is.True, row.Backend);
            }
        }), suiteSeed: "kernel-table", suiteCases: 500);
    }

    [Test]
    public void AMutatedFileOfBuiltPathsIsReadOrRefusedWithOneLine()
    {
        NativeKernelTable table = NativeKernelTable.Parse(TableText);
        Gen<string> files = Gen.Frequency((3, TreeMutations(BuiltPathsText)), (1, TextMutations(BuiltPathsText)));
        PropertyCheck.Run(files, json => ReadOrRefuse(() =>
        {
            var built = NativeKernelTable.ParseBuiltPaths(json, "paths.json");
            Assert.That(table.WithBuiltPaths(built).Libraries, Has.Count.EqualTo(table.Libraries.Count));
        }), suiteSeed: "kernel-paths", suiteCases: 300);
    }
}
