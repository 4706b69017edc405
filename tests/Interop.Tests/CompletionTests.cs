namespace Interop.Tests;

/// <summary>Shell completion (System.CommandLine's suggest directive) offers backend, workload, path and check names.</summary>
public sealed class CompletionTests
{
    [TestCase("pi --backend c-openmp,man", new[] { "c-openmp,managed-parallel", "c-openmp,managed-serial" })]
    [TestCase("inv --backend l", new[] { "lapack" })]
    [TestCase("compare --workload i", new[] { "inv" })]
    [TestCase("inv --check e", new[] { "estimate" })]
    [TestCase("pi --isa av", new[] { "avx2", "avx512" })]
    public void NamesAreCompleted(string line, string[] expected)
    {
        var (code, output, error) = Cli.Run($"[suggest:{line.Length}]", line);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), Is.EquivalentTo(expected));
    }
}
