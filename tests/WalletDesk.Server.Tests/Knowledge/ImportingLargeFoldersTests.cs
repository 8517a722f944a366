using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Features.Knowledge;
using WalletDesk.Server.Features.Knowledge.ImportExport;
using WalletDesk.Server.Tests.Infrastructure;

namespace WalletDesk.Server.Tests.Knowledge;

/// <summary>A folder import has no file cap, reports progress, and names every file it left out with the reason.</summary>
public sealed class ImportingLargeFoldersTests
{
    private sealed class Recorder : IProgress<ImportProgress>
    {
        public List<ImportProgress> Reports { get; } = [];

        public void Report(ImportProgress value) => Reports.Add(value);
    }

    [Fact]
    public async Task ImportDirectory_MoreThanTheOldCapOf5000Files_ImportsAll_WithProgress_AndNamesEverySkippedFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "walletdesk-tests", Guid.NewGuid().ToString("N"));
        var en = Directory.CreateDirectory(Path.Combine(dir, "en")).FullName;
        var zh = Directory.CreateDirectory(Path.Combine(dir, "zh")).FullName;
        try
        {
            const int articles = 2_600; // x 2 languages = 5,200 files
            for (var i = 0; i < articles; i++)
            {
                var slug = $"bulk-{i:D5}";
                await File.WriteAllTextAsync(Path.Combine(en, slug + ".md"), $"---\nslug: {slug}\nlang: en\ntitle: Bulk article {i}\ncategory: fees-limits\nsection: fees\n---\n\nBody {i}\n");
                await File.WriteAllTextAsync(Path.Combine(zh, slug + ".md"), $"---\nslug: {slug}\nlang: zh\ntitle: 批量文章 {i}\ncategory: fees-limits\nsection: fees\n---\n\n正文 {i}\n");
            }

            await File.WriteAllTextAsync(Path.Combine(en, "notes.txt"), "not an article");
            Directory.CreateDirectory(Path.Combine(en, "drafts"));
            await File.WriteAllTextAsync(Path.Combine(en, "too-big.md"), new string('x', KnowledgeImporter.MaxFileBytes + 1));
            await File.WriteAllTextAsync(Path.Combine(en, "no-front-matter.md"), "# just text");
            await File.WriteAllTextAsync(Path.Combine(zh, "wrong-lang.md"), "---\nslug: wrong-lang\nlang: en\ntitle: T\ncategory: fees-limits\nsection: fees\n---\nBody\n");
            File.CreateSymbolicLink(Path.Combine(en, "linked.md"), "/etc/hostname");

            await using var app = await WalletDeskFactory.CreateAsync(Providers.Sqlite);
            await using var scope = app.Scope();
            var progress = new Recorder();

            var report = await scope.ServiceProvider.GetRequiredService<KnowledgeImporter>().ImportDirectoryAsync(dir, progress: progress);

            report.Created.ShouldBe(articles * 2);
            (await app.WithDbAsync(db => db.KbTranslations.CountAsync(t => t.Article!.Slug.StartsWith("bulk-")))).ShouldBe(articles * 2);
            report.Errors.Count.ShouldBe(6, string.Join("\n", report.Errors));
            report.Errors.ShouldContain(e => e.Contains("notes.txt") && e.Contains("not a .md file"));
            report.Errors.ShouldContain(e => e.Contains("drafts") && e.Contains("a folder"));
            report.Errors.ShouldContain(e => e.Contains("too-big.md") && e.Contains("larger than"));
            report.Errors.ShouldContain(e => e.Contains("no-front-matter.md"));
            report.Errors.ShouldContain(e => e.Contains("wrong-lang.md") && e.Contains("does not match its folder"));
            report.Errors.ShouldContain(e => e.Contains("linked.md") && e.Contains("symbolic link"));

            progress.Reports.Count.ShouldBeGreaterThan(2);
            progress.Reports.Select(p => p.Done).ShouldBeInOrder(SortDirection.Ascending);
            progress.Reports[^1].ShouldBe(new ImportProgress(articles * 2 + 2, articles * 2 + 2)); // + the two .md files that fail to parse
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
