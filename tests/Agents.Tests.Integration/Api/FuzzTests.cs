using System.Net;
using System.Text;

namespace Agents.Tests.Integration.Api;

/// <summary>
/// A few thousand generated malformed requests (seeded, so a failure replays) against every endpoint:
/// each must get a 4xx problem response, never a 2xx or 5xx, and the tenant's store must stay empty.
/// Every request is malformed by construction (a cut body, a wrong type, a missing or out-of-range
/// field, a bad id, key or media type), so none may be accepted.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FuzzTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const int Requests = 3000;
    private const string Tenant = "fuzz";

    private static readonly (string Method, string Path, string Body)[] Templates =
    [
        ("POST", "api/v1/memories", """{"user_id":"u1","agent_id":"a1","messages":[{"content":"I moved to Lisbon.","role":"user"}],"observed_at":"2025-05-01T10:00:00Z","idempotency_key":"k1"}"""),
        ("POST", "api/v1/memories", """{"team_id":"t1","text":"The launch is on 14 March.","speaker":"pm"}"""),
        ("POST", "api/v1/memories/search", """{"user_id":"u1","query":"where","top_k":5,"kinds":["note"],"tags":["x"],"as_of":"2025-06-01T00:00:00Z"}"""),
        ("PUT", "api/v1/memories/{id}", """{"content":"new text"}"""),
        ("POST", "v3/memories/add/", """{"messages":[{"role":"user","content":"I like tea."}],"user_id":"u1","run_id":"r1","observation_date":"2025-01-02"}"""),
        ("POST", "v3/memories/search/", """{"query":"tea","filters":{"AND":[{"user_id":"u1"},{"run_id":"*"}]},"top_k":3}"""),
        ("POST", "v3/memories/", """{"filters":{"user_id":"u1"},"page":1,"page_size":10}"""),
        ("PUT", "v1/memories/{id}/", """{"text":"new text"}"""),
        ("POST", "v1/admin/keys", """{"tenant":"fuzz-child"}"""),
        // a workflow definition (JSON, which the YAML reader reads too)
        ("POST", "api/v1/runs", """{"name":"f1","team":"t1","task":"When is the launch?","agents":[{"id":"a","role":"answers"},{"id":"b","role":"writes"}],"topology":"sequential","limits":{"steps":4,"seconds":60},"on_error":"fail","knowledge":["The launch is on 14 March."]}"""),
    ];

    /// <summary>Values each field never accepts (in these templates, where no other field stands in for it).</summary>
    private static readonly Dictionary<string, string[]> Wrong = new(StringComparer.Ordinal)
    {
        ["user_id"] = ["5", "true", "[]", "{}", "\"\"", "\"   \"", "\"\\u0001x\"", "\" padded \""],
        ["agent_id"] = ["5", "[\"a\"]", "\"\"", "\"\\u0000\""],
        ["run_id"] = ["5", "{}", "\"\"", "\"\\t\""],
        ["team_id"] = ["5", "false", "\"\"", "\"\\n\""],
        ["messages"] = ["5", "\"x\"", "{}", "[]", "null", "[1]", "[{\"content\":5}]", "[{\"content\":\"\"}]"],
        ["text"] = ["5", "[]", "{}", "\"\"", "\"   \"", "null", "\"a\\u0000b\""],
        ["query"] = ["5", "[]", "{}", "\"\"", "\"   \"", "null", "\"\\u0000\""],
        ["content"] = ["5", "[]", "\"\"", "null", "\"\\u0000\""],
        ["top_k"] = ["\"5\"", "true", "[]", "{}", "-1", "0", "1001", "1e999", "1.5"],
        ["kinds"] = ["5", "\"note\"", "[1]", "[\"BAD!\"]", "[\"\"]", "[null]"],
        ["observed_at"] = ["5", "true", "\"soon\"", "\"\"", "[]"],
        ["as_of"] = ["5", "true", "\"soon\"", "\"\""],
        ["filters"] = ["5", "\"x\"", "[]", "null", "{}", "{\"OR\":[]}", "{\"user_id\":5}", "{\"user_id\":\"*\"}"],
        ["page"] = ["0", "-1", "\"1\"", "true", "[]", "1e999"],
        ["page_size"] = ["0", "-1", "1001", "\"1\"", "{}"],
        ["tenant"] = ["5", "\"\"", "\" x\"", "\"a b\"", "null", "\"x/y\"", "\"-a\""],
        ["observation_date"] = ["5", "true", "\"2025/01/02\"", "\"\"", "\"soon\""],
        ["name"] = ["[]", "{}", "\"\"", "\"   \"", "\"a b\"", "\"-x\"", "[\"a\"]"],
        ["team"] = ["[]", "{}", "\"\"", "\"x/y\"", "\"\\u0001\""],
        ["task"] = ["[]", "{}", "\"\"", "\"   \"", "\"a\\u0000b\""],
        ["agents"] = ["5", "\"x\"", "{}", "[]", "[1]", "[{\"id\":\"a\"}]", "[{\"id\":\"a\",\"role\":\"r\"},{\"id\":\"a\",\"role\":\"r\"}]", "[{\"id\":\"a\",\"role\":\"r\",\"mood\":\"x\"}]"],
        ["topology"] = ["5", "\"star\"", "[]", "\"\"", "{}"],
        ["limits"] = ["5", "[]", "{\"steps\":0}", "{\"seconds\":\"x\"}", "{\"steps\":1}", "{\"minutes\":3}"],
        ["on_error"] = ["\"explode\"", "[]", "5", "\"\""],
        ["knowledge"] = ["5", "\"x\"", "{}", "[[]]", "[{}]", "[\"\"]", "[\"a\\u0000\"]"],
    };

    [Fact]
    public async Task Thousands_of_malformed_requests_get_4xx_problems_and_write_nothing()
    {
        var key = await fixture.Host.CreateKeyAsync(Tenant);
        var random = new Random(20251206);
        var cases = Enumerable.Range(0, Requests).Select(_ => Generate(random, key)).ToList();
        var failures = new List<string>();
        using var http = fixture.Host.Http();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
            if (c.Body is not null) request.Content = new ByteArrayContent(c.Body) { Headers = { { "Content-Type", c.ContentType } } };
            if (c.Authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", c.Authorization);
            using var response = await http.SendAsync(request, ct);
            var status = (int)response.StatusCode;
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (status is < 400 or >= 500 || !problem)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                lock (failures) failures.Add($"{c.Why}: {c.Method} {c.Path} [{(c.Body is null ? "" : Encoding.UTF8.GetString(c.Body[..Math.Min(c.Body.Length, 300)]))}] -> {status} {text[..Math.Min(text.Length, 300)]}");
            }
        });
        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} malformed requests were not answered with a 4xx problem:\n{string.Join('\n', failures.Take(20))}");
        Assert.Equal((0, 0, 0), await fixture.CountAsync(Tenant));
        Assert.Equal((0, 0, 0), await fixture.CountAsync("fuzz-child"));
        using var api = fixture.Host.Client(key);
        Assert.Empty((await api.ListRunsAsync(limit: 1000)).Runs);   // no definition was accepted
    }

    private sealed record Case(string Why, string Method, string Path, byte[]? Body, string ContentType, string? Authorization);

    private static Case Generate(Random random, string key)
    {
        var (method, path, body) = Templates[random.Next(Templates.Length)];
        var admin = path.StartsWith("v1/admin", StringComparison.Ordinal);
        var auth = "Token " + (admin ? ApiHost.AdminKey : key);
        path = path.Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var json = "application/json";
        switch (random.Next(12))
        {
            case 0: // a cut body: a strict prefix of a JSON object is never valid JSON
                return new("cut", method, path, Encoding.UTF8.GetBytes(body[..random.Next(body.Length)]), json, auth);
            case 1: // a field of the wrong type or an invalid value
            {
                var field = TopLevel(body).Intersect(Wrong.Keys).ToArray();
                if (field.Length == 0) goto case 0;
                var f = field[random.Next(field.Length)];
                return new($"wrong {f}", method, path, Encoding.UTF8.GetBytes(Replace(body, f, Wrong[f][random.Next(Wrong[f].Length)])), json, auth);
            }
            case 2: // random bytes
            {
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                bytes[0] = (byte)"[\"1tn-x"[random.Next(7)];   // never an object: '{}' alone could be a valid, empty request
                return new("random bytes", method, path, bytes, json, auth);
            }
            case 3: // nested past the reader's depth
            {
                var depth = random.Next(65, 400);
                return new("deep", method, path, Encoding.UTF8.GetBytes(body.Replace("{", "{\"x\":" + new string('[', depth) + new string(']', depth) + ",", StringComparison.Ordinal)), json, auth);
            }
            case 4: // the wrong media type (a definition may come as text/plain)
                return new("media type", method, path, Encoding.UTF8.GetBytes(body),
                    random.Next(2) == 0 ? (path.StartsWith("api/v1/runs", StringComparison.Ordinal) ? "text/html" : "text/plain") : "application/x-www-form-urlencoded", auth);
            case 5: // no key, a bad key, a malformed header
            {
                string?[] bad = [null, "Token", "Token " + key[..^1] + (key[^1] == 'a' ? 'b' : 'a'), "Basic Zm9vOmJhcg==", "Token agk_000000000000_" + new string('A', 43), "Token " + new string('x', 513), "Bearer  ", admin ? "Token " + key : "Token " + ApiHost.AdminKey];
                return new("bad key", method, path, Encoding.UTF8.GetBytes(body), json, bad[random.Next(bad.Length)]);
            }
            case 6: // an id that is not one, or that nobody has
            {
                string[] paths = ["api/v1/memories/{0}", "api/v1/memories/{0}/history", "v1/memories/{0}/", "v1/memories/{0}/history/", "v1/event/{0}/", "api/v1/teams/t1/runs/{0}",
                    "api/v1/runs/{0}", "api/v1/runs/{0}/cancel", "api/v1/runs/{0}/events", "api/v1/runs/{0}/events?format=json"];
                string[] ids = [Guid.NewGuid().ToString(), "mem_123", "1", "%20", "00000000-0000-0000-0000-00000000000g", "'%20OR%201=1--", new string('9', 300)];
                var p = string.Format(System.Globalization.CultureInfo.InvariantCulture, paths[random.Next(paths.Length)], ids[random.Next(ids.Length)]);
                string[] methods = ["GET", "DELETE", "PUT"];
                var m = methods[random.Next(methods.Length)];
                return new("bad id", m, p, m == "PUT" ? Encoding.UTF8.GetBytes(p.StartsWith("v1", StringComparison.Ordinal) ? """{"text":"x"}""" : """{"content":"x"}""") : null, json, "Token " + key);
            }
            case 7: // query strings out of range or mistyped
            {
                string[] queries = ["api/v1/memories?user_id=u1&limit=0", "api/v1/memories?user_id=u1&limit=abc", "api/v1/memories?user_id=u1&offset=-1", "api/v1/memories?user_id=u1&kinds=Bad!",
                    "api/v1/memories?user_id=u1&as_of=soon", "api/v1/memories", "api/v1/memories?user_id=%01", "api/v1/memories/pipeline?wait=maybe&user_id=u1", "api/v1/teams/t1/runs?limit=5000",
                    "api/v1/teams/t1/insights?include_retired=perhaps", "v1/memories/?user_id=*", "v1/memories/", "api/v1/memories?user_id=" + new string('u', 300),
                    "api/v1/runs?limit=0", "api/v1/runs?limit=abc", "api/v1/runs?status=paused", "api/v1/runs/r1/events?after=-5", "api/v1/runs/r1/events?format=xml",
                    "api/v1/runs/r1/events?after=x", "api/v1/memories/graph?user_id=u1&limit=0", "api/v1/memories/graph"];
                var q = queries[random.Next(queries.Length)];
                return new("query", q.StartsWith("v1/memories/", StringComparison.Ordinal) || (q == "api/v1/memories" && random.Next(2) == 0) ? "DELETE" : "GET", q, null, json, "Token " + key);
            }
            case 8: // a required field left out
            {
                var without = body;
                foreach (var f in new[] { "user_id", "agent_id", "run_id", "team_id", "filters", "tenant" }) without = Remove(without, f);
                if (without == body) { foreach (var f in new[] { "messages", "text", "query", "content", "task", "agents" }) without = Remove(without, f); }
                return new("missing", method, path, Encoding.UTF8.GetBytes(without), json, auth);
            }
            case 9: // an unknown route or method
            {
                string[] routes = ["api/v1/memorie", "api/v2/memories", "v3/memories/add/extra", "api/v1/teams/t1", "v1/admin/keys/list"];
                return random.Next(2) == 0
                    ? new("method", "PATCH", path, Encoding.UTF8.GetBytes(body), json, auth)
                    : new("route", method, routes[random.Next(routes.Length)], Encoding.UTF8.GetBytes(body), json, auth);
            }
            case 10: // an empty or JSON-null body
                return new("empty", method, path, Encoding.UTF8.GetBytes(random.Next(2) == 0 ? "" : "null"), json, auth);
            default: // text too long for its field
            {
                var field = TopLevel(body).Intersect(["user_id", "agent_id", "run_id", "team_id", "idempotency_key", "query", "tenant", "content", "text", "name", "team", "task"]).ToArray();
                if (field.Length == 0) goto case 0;
                var f = field[random.Next(field.Length)];
                var length = f is "content" or "text" or "task" ? 20_000 : f == "query" ? 5000 : 300;
                return new($"long {f}", method, path, Encoding.UTF8.GetBytes(Replace(body, f, $"\"{new string('w', length)}\"")), json, auth);
            }
        }
    }

    /// <summary>The template with <paramref name="field"/>'s value replaced (values in templates hold no nested quotes at top level).</summary>
    private static string Replace(string body, string field, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        if (node.ContainsKey(field)) node[field] = System.Text.Json.Nodes.JsonNode.Parse(value.Replace("1e999", "\"1e999\"", StringComparison.Ordinal));
        var text = node.ToJsonString();
        return value == "1e999" ? text.Replace($"\"{field}\":\"1e999\"", $"\"{field}\":1e999", StringComparison.Ordinal) : text;
    }

    private static IEnumerable<string> TopLevel(string body) => System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject().Select(p => p.Key);

    private static string Remove(string body, string field)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }
}
