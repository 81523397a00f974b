using System.Runtime.CompilerServices;
using System.Text;

namespace Agents.Client.Api;

/// <summary>Reads a <c>text/event-stream</c> (the WHATWG server-sent events format): id, event and data
/// fields, events ended by a blank line, comments skipped.</summary>
public static class ServerSentEvents
{
    public sealed record Message(string? Id, string? Event, string Data);

    public static async IAsyncEnumerable<Message> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? id = null, name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || name is not null) yield return new Message(id, name, data.ToString());
                (id, name) = (null, null);
                data.Clear();
                continue;
            }
            if (line[0] == ':') continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data":
                    if (data.Length > 0) data.Append('\n');
                    data.Append(value);
                    break;
            }
        }
    }
}
