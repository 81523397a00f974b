namespace Agents.Bench.Grains;

/// <summary>Deterministic short facts ("Maya ordered 3 lamps for the Lisbon office on Tuesday.") and
/// questions about them, for the grains suite.</summary>
internal sealed class BenchCorpus(int seed)
{
    private static readonly string[] Names = ["Maya", "Omar", "Lena", "Tariq", "Ines", "Jonas", "Priya", "Kofi", "Sofia", "Arjun", "Noor", "Elias", "Hana", "Mateo", "Yuki", "Farah", "Luca", "Amara", "Nils", "Rosa"];
    private static readonly (string Verb, string Question)[] Actions =
    [
        ("ordered", "Who ordered"), ("returned", "Who returned"), ("repaired", "Who repaired"), ("painted", "Who painted"), ("counted", "Who counted"),
        ("packed", "Who packed"), ("shipped", "Who shipped"), ("borrowed", "Who borrowed"), ("cleaned", "Who cleaned"), ("labelled", "Who labelled"),
    ];
    private static readonly string[] Things = ["lamps", "chairs", "monitors", "kettles", "bicycles", "printers", "plants", "whiteboards", "cables", "desks", "tents", "drills", "ladders", "speakers", "heaters", "fans", "maps", "clocks", "rugs", "easels"];
    private static readonly string[] Places = ["Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Tunis", "Quebec", "Gdansk", "Hanoi", "Perth", "Bergen", "Accra", "Cusco", "Turin", "Busan"];
    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private readonly Random _random = new(seed);

    public string Fact(int i)
    {
        var r = new Random(seed * 1_000_003 + i);
        return $"{Names[r.Next(Names.Length)]} {Actions[r.Next(Actions.Length)].Verb} {1 + r.Next(9)} {Things[r.Next(Things.Length)]} for the {Places[r.Next(Places.Length)]} office on {Days[r.Next(Days.Length)]}.";
    }

    public string Question()
    {
        var action = Actions[_random.Next(Actions.Length)];
        return $"{action.Question} {Things[_random.Next(Things.Length)]} for the {Places[_random.Next(Places.Length)]} office?";
    }
}
