// agents: the command line of an Agents cluster (see AgentsCli for the commands).
using Agents.Cli;

return await AgentsCli.RunAsync(args, Console.Out, Console.Error);
