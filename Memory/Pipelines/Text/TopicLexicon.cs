using System.Collections.Frozen;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Broad everyday topics with seed words (stemmed on load). The offline enricher tags a note with the
/// topics its words fall into, as A-MEM's prompt asks for "broad categories"; general life domains,
/// not tuned to any data set.
/// </summary>
public static class TopicLexicon
{
    private static readonly (string Topic, string Seeds)[] Topics =
    [
        ("family", "family mother mom father dad parent parents son daughter kid kids child children baby brother sister sibling grandma grandpa grandmother grandfather husband wife wedding married cousin aunt uncle"),
        ("relationships", "friend friends friendship partner boyfriend girlfriend dating date love breakup relationship community support mentor neighbor"),
        ("work", "job work career office boss colleague coworker company business startup project client meeting promotion salary hired interview manager team"),
        ("education", "school college university class course study studying degree student teacher exam homework lecture research learn learning"),
        ("health", "health doctor hospital sick illness injury therapy therapist medicine diet exercise workout gym fitness sleep stress anxiety mental surgery recovery"),
        ("food", "food cook cooking recipe dinner lunch breakfast restaurant meal bake baking cake pizza coffee tea vegan vegetarian eat eating"),
        ("travel", "travel trip vacation holiday flight beach mountain mountains hike hiking camping camp road tour abroad country city visit visited journey"),
        ("art", "art paint painting painter draw drawing sketch artist gallery museum pottery sculpture craft photography photo photos design"),
        ("music", "music song songs sing singing band concert guitar piano violin album musician play playing instrument"),
        ("books", "book books read reading novel author library story stories writing write poem poetry"),
        ("sports", "sport sports football soccer basketball tennis swimming swim running run marathon race team game match yoga cycling"),
        ("pets", "pet pets dog dogs puppy cat cats kitten horse bird animal animals"),
        ("home", "home house apartment move moved moving garden gardening kitchen room furniture rent neighborhood"),
        ("finance", "money budget savings save saving bank loan debt invest investment price buy bought sell sold shopping"),
        ("events", "party birthday anniversary festival celebration celebrate event conference parade ceremony graduation"),
        ("identity", "identity transgender gay lesbian lgbtq pride religion faith church culture heritage belief values"),
        ("emotions", "happy sad excited proud scared afraid worried nervous angry lonely grateful inspired hopeful overwhelmed"),
        ("technology", "computer software app code coding programming phone internet online game games gaming video robot ai"),
        ("nature", "nature outdoors park forest lake river ocean sea sunset garden flowers plants weather snow rain"),
        ("volunteering", "volunteer volunteering charity donate donation shelter fundraiser nonprofit cause activism"),
    ];

    private static readonly FrozenDictionary<string, string> StemToTopic = Build();

    private static FrozenDictionary<string, string> Build()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (topic, seeds) in Topics)
            foreach (var seed in seeds.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                map.TryAdd(Stemmer.Stem(seed), topic);
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Topics of <paramref name="lowerWords"/>, most frequent first (ties by name).</summary>
    public static List<string> TopicsOf(IEnumerable<string> lowerWords)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in lowerWords)
            if (StemToTopic.TryGetValue(Stemmer.Stem(w), out var topic))
                counts[topic] = counts.GetValueOrDefault(topic) + 1;
        var list = counts.ToList();
        list.Sort(static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        return list.ConvertAll(static p => p.Key);
    }
}
