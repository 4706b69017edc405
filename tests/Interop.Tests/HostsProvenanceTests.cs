using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Interop.Cli.Compare;
using Interop.Cli.Jobs;
using Interop.Cli.Schema;

namespace Interop.Tests;

/// <summary>
/// Issue 23: results.json (provenance.hosts, schema 9) and `interop env` name every host of the
/// job with its ranks, from each rank's own host name, never rank 0's copied.
/// </summary>
public sealed class HostsProvenanceTests : TempFolderTest
{
    [Test]
    public void HostsAreGroupedInTheOrderOfTheirFirstRank()
    {
        IReadOnlyList<HostRanks> hosts = HostRanks.Of(["n2", "n1", "n2", "n2", "n3"]);
        Assert.That(hosts, Is.EqualTo(new[] { new HostRanks("n2", [0, 2, 3]), new HostRanks("n1", [1]), new HostRanks("n3", [4]) }));
        Assert.That(HostRanks.Describe(hosts), Is.EqualTo("n2 (ranks 0,2-3), n1 (rank 1), n3 (rank 4)"));
    }

    [Test]
    public void EachRanksHandshakeCarriesItsOwnHost()
    {
        var line = new CommandLineText("pi", [new("--darts", "1e6")]);
        RankReport back = RankReport.Decode((new RankReport(0, line, string.Empty) { Host = "n2\tx" }).Encode());
        Assert.That(back.Host, Is.EqualTo("n2 x"), "control characters cannot split the report");
        Assert.That(back.Line, Is.EqualTo(line).Using<CommandLineText>((a, b) => a.Command == b.Command && a.Options.SequenceEqual(b.Options)));
        Assert.That(HandshakeVerdict.Of([back, new RankReport(0, line, string.Empty) { Host = "n1" }]), Is.EqualTo(HandshakeVerdict.Agreed),
            "ranks on different hosts agree");
    }

    [Test]
    public void Schema9RoundTripsAndASchema8FileHasNoHosts()
    {
        ResultDocument doc = SchemaTests.Sample("compare") with { Complete = true, Status = "complete" };
        ResultDocument back = Documents.Deserialize(Documents.Serialize(doc));
        Assert.That(back.Provenance.Hosts, Is.EqualTo(doc.Provenance.Hosts));
        Assert.That(back, Is.EqualTo(doc));
        Assert.That(back.Provenance with { Hosts = [new HostRanks("node17", [0, 1])] }, Is.Not.EqualTo(doc.Provenance), "equality looks inside the hosts");

        var eight = (JsonObject)JsonNode.Parse(Documents.Serialize(doc))!;
        eight["schema_version"] = 8;
        Assert.That(eight["provenance"]!.AsObject().Remove("hosts"), Is.True);
        string path = Path.Combine(Folder, "results.json");
        File.WriteAllText(path, eight.ToJsonString());
        CompareRun run = ResultsFiles.ReadJson(path);
        Assert.That(run.SchemaVersion, Is.EqualTo(8));
        Assert.That(run.Provenance!.Hosts, Is.Null);
        Assert.That(run.Provenance.Command!.WorldSize, Is.EqualTo(2));
    }

    [Test]
    public void OneProcessNamesItsHostWithRankZero()
    {
        var (code, stdout, stderr) = DriverProcess.Run(
            ["pi", "--darts", "1000", "--backend", "managed-serial", "--repeat", "1", "--warmup", "0", "--json"],
            unset: ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID", "SLURM_STEP_ID"]);
        Assert.That(code, Is.Zero, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement hosts = json.RootElement.GetProperty("provenance").GetProperty("hosts");
        Assert.That(hosts.GetArrayLength(), Is.EqualTo(1));
        Assert.That(hosts[0].GetProperty("host").GetString(), Is.EqualTo(System.Net.Dns.GetHostName()));
        Assert.That(hosts[0].GetProperty("ranks").EnumerateArray().Select(r => r.GetInt32()), Is.EqualTo(new[] { 0 }));
    }

    // Each rank in a UTS namespace of its own (`unshare -u`, then `hostname`): three ranks on "two
    // hosts" of one machine. Rank 0 cannot know the others' names but from them.
    [Test]
    [NonParallelizable]
    public void UnderMpiexecEveryRankNamesItsOwnHost()
    {
        RequireUtsNamespaces();
        string[] pi = ["pi", "--darts", "1000", "--backend", "managed-serial", "--threads", "1", "--repeat", "1", "--warmup", "0", "--json"];
        var run = HybridPiTests.Mpi.RunMpmd(OnHost("n1", pi), OnHost("n2", pi), OnHost("n1", pi));
        Assert.That(run.Code, Is.Zero, run.Err);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement provenance = json.RootElement.GetProperty("provenance");
        Assert.That(provenance.GetProperty("host").GetString(), Is.EqualTo("n1"), "rank 0's");
        Assert.That(
            provenance.GetProperty("hosts").EnumerateArray().Select(h => $"{h.GetProperty("host").GetString()}:{string.Join(',', h.GetProperty("ranks").EnumerateArray().Select(r => r.GetInt32()))}"),
            Is.EqualTo(new[] { "n1:0,2", "n2:1" }));

        string[] env = ["env", "--threads", "1"];
        var shown = HybridPiTests.Mpi.RunMpmd(OnHost("n1", env), OnHost("n2", env));
        Assert.That(shown.Code, Is.Zero, shown.Err);
        Assert.That(shown.Out.Split('\n').Where(l => l.StartsWith("hosts ", StringComparison.Ordinal)).Select(l => l[5..].Trim()),
            Is.EqualTo(new[] { "n1 (rank 0), n2 (rank 1)" }));
    }

    [Test]
    public void OneProcessEnvHasNoHostsLine()
    {
        var (code, stdout, stderr) = DriverProcess.Run(["env"], unset: ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMI_SIZE", "PMIX_RANK", "SLURM_PROCID", "SLURM_STEP_ID"]);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(stdout.Split('\n').Where(l => l.StartsWith("hosts ", StringComparison.Ordinal)), Is.Empty, "the hosts line is for MPI jobs");
    }

    private static string[] OnHost(string host, string[] arguments) =>
        ["unshare", "-u", "sh", "-c", $"hostname {host} && exec \"$0\" \"$@\"", TestEnvironment.DriverPath, .. arguments];

    private static void RequireUtsNamespaces()
    {
        var info = new ProcessStartInfo("unshare", ["-u", "hostname", "interop-uts-probe"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        try
        {
            using Process probe = Process.Start(info)!;
            string why = probe.StandardError.ReadToEnd();
            if (!probe.WaitForExit(TimeSpan.FromSeconds(10)) || probe.ExitCode != 0)
            {
                Assert.Ignore($"no UTS namespace can be made here (unshare -u: {why.Trim()}): ranks cannot have host names of their own");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Ignore($"unshare cannot run here ({e.Message}): ranks cannot have host names of their own");
        }
    }
}
