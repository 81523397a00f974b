using System.Collections.Frozen;

namespace Agents.Memory.Pipelines.Text;

/// <summary>
/// Frequent general-purpose verbs, adjectives and adverbs ("important", "looking", "realize"). They are
/// content words, but say little about what a message is about, so keyword salience weighs them down
/// (a stand-in for the inverse document frequency a corpus would give). Also the names of days and
/// months, which are times, not entities.
/// </summary>
public static class CommonWords
{
    private static readonly FrozenSet<string> General = new[]
    {
        "important", "look", "looks", "looking", "looked", "start", "started", "starting", "realize", "realized", "realizing",
        "take", "taking", "taken", "think", "thinking", "thought", "need", "needs", "needed", "lucky", "future", "agree",
        "happy", "love", "loved", "loving", "lovely", "amazing", "fun", "hard", "easy", "big", "small", "little", "long",
        "true", "real", "right", "best", "better", "happen", "happened", "try", "trying", "tried", "find", "found",
        "give", "giving", "gave", "use", "used", "using", "work", "working", "worked", "help", "helps", "helped", "helping",
        "show", "showed", "share", "sharing", "shared", "talk", "talking", "talked", "hear", "heard", "hope", "hoping",
        "seem", "seems", "seemed", "sounds", "sound", "stay", "keep", "keeping", "kept", "special", "whole", "part",
        "different", "same", "sort", "stuff", "exciting", "excited", "interesting", "incredible", "wonderful", "fantastic",
        "beautiful", "super", "glad", "proud", "inspiring", "inspired", "awesome", "cool", "nice", "moment", "moments",
        "experience", "experiences", "life", "people", "person", "world", "place", "places", "journey", "chance",
        "enjoy", "enjoyed", "enjoying", "feeling", "feelings", "reminds", "remind", "reminded", "mind", "totally",
        "truly", "especially", "finally", "definitely", "probably", "maybe", "lately", "care", "caring", "able", "sense",
        "makes", "making", "gets", "doing", "done", "goes", "going", "coming", "came", "lots", "ones", "thing",
        "thanks", "thank", "appreciate", "believe", "understand", "wish", "guess", "cause", "reason", "idea", "ideas",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> Times = new[]
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "christmas", "easter", "weekend",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsGeneral(string lower) => General.Contains(lower);

    public static bool IsTime(string lower) => Times.Contains(lower);
}
