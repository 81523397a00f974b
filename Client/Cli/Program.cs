// The agents CLI: talks to a cluster through its gateways (see the runtime issue for the client).
Console.Error.WriteLine("agents: the cluster client is not wired yet; run the silo with `dotnet run --project Silo`.");
return 2;
