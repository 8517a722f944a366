using System.CommandLine;
using WalletDesk.Cli.Assistant;
using WalletDesk.Cli.Commands;

var root = new RootCommand("walletdesk — command-line tools for WalletDesk. Reads the same configuration as the server (Database__Provider, ConnectionStrings__WalletDesk, WALLETDESK_DATA_DIR).");
root.Add(DatabaseCommands.Migrate());
root.Add(DatabaseCommands.Seed());
root.Add(AuditCommands.Create());
root.Add(StaffCommands.Create());
root.Add(CustomerTokenCommands.Create());
root.Add(AssistantCommands.Create());
root.Add(KnowledgeCommands.Create());
root.Add(InsightsCommands.Create());
root.Add(EmailCommands.Create());

var bench = new Command("bench", "Benchmarks; each prints its figures next to a baseline measured in the same run.");
bench.Add(AssistantBench.CreateBench());
bench.Add(WalletBench.Create());
bench.Add(TicketBench.Create());
bench.Add(KnowledgeBench.Create());
bench.Add(ChatBench.Create());
bench.Add(InsightsBench.Create());
bench.Add(EmailBench.Create());
bench.Add(ChatEchoHost.Create());
root.Add(bench);

return await root.Parse(args).InvokeAsync();
