using System.Reflection;
using Microsoft.EntityFrameworkCore;
using WalletDesk.Server.Data;
using WalletDesk.Server.Features.Audit;
using WalletDesk.Server.Features.Knowledge.Search;

namespace WalletDesk.Server.Features.Knowledge.ImportExport;

/// <summary>What an import did.</summary>
public sealed record ImportReport(int Created, int Updated, int Unchanged, int Skipped, IReadOnlyList<string> Errors)
{
    public int Total => Created + Updated + Unchanged + Skipped;
}

/// <summary>
/// Imports and exports folders of Markdown files with front matter (<c>DIR/en/*.md</c> and <c>DIR/zh/*.md</c>, or
/// the same under <c>DIR/articles/</c>), and the starter content embedded in the server. Files are matched by
/// slug and language; changed content becomes a new revision. Only regular <c>.md</c> files directly inside the
/// language folders are read (no symbolic links, no recursion), with a size and count cap.
/// </summary>
public sealed class KnowledgeImporter(AppDbContext db, KnowledgeIndex index, AuditService audit, TimeProvider time)
{
    public const int MaxFiles = 5000;
    public const int MaxFileBytes = 1024 * 1024;
    private const string StarterPrefix = "StarterContent/articles/";

    /// <summary>Imports the starter knowledge base that ships with WalletDesk; existing articles are left alone.</summary>
    public async Task<ImportReport> ImportStarterContentAsync(CancellationToken cancellationToken = default)
    {
        var files = new List<ArticleFile>();
        var assembly = typeof(KnowledgeImporter).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(StarterPrefix, StringComparison.Ordinal) && n.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            await using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            files.Add(ArticleFile.Parse(await reader.ReadToEndAsync(cancellationToken), name));
        }

        return await ImportAsync(files, overwrite: false, cancellationToken);
    }

    /// <summary>The starter search evaluation set (CSV text), embedded like the articles.</summary>
    public static string StarterEvaluationCsv()
    {
        using var stream = typeof(KnowledgeImporter).Assembly.GetManifestResourceStream("StarterContent/eval/search-queries.csv")
            ?? throw new InvalidOperationException("The starter evaluation set is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<string> LanguageFolders(string directory)
    {
        var root = Directory.Exists(Path.Combine(directory, "articles")) ? Path.Combine(directory, "articles") : directory;
        return KbLanguages.All.Select(l => Path.Combine(root, l)).Where(Directory.Exists).ToList();
    }

    /// <summary>Reads every article file of a folder; files that cannot be read are reported, not imported.</summary>
    public static (List<ArticleFile> Files, List<string> Errors) ReadDirectory(string directory)
    {
        var files = new List<ArticleFile>();
        var errors = new List<string>();
        var folders = LanguageFolders(directory);
        if (folders.Count == 0)
        {
            errors.Add($"{directory}: no 'en' or 'zh' folder (or 'articles/en', 'articles/zh').");
            return (files, errors);
        }

        var count = 0;
        foreach (var folder in folders)
        {
            var lang = Path.GetFileName(folder);
            foreach (var path in Directory.EnumerateFiles(folder, "*.md", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(path);
                if (info.Attributes.HasFlag(FileAttributes.ReparsePoint) || info.LinkTarget is not null)
                {
                    errors.Add($"{path}: symbolic links are not imported.");
                    continue;
                }

                if (info.Length > MaxFileBytes)
                {
                    errors.Add($"{path}: larger than {MaxFileBytes / 1024} KiB.");
                    continue;
                }

                if (++count > MaxFiles)
                {
                    errors.Add($"{directory}: more than {MaxFiles} files; the rest were not read.");
                    return (files, errors);
                }

                try
                {
                    var file = ArticleFile.Parse(File.ReadAllText(path), path);
                    if (file.Lang != lang)
                    {
                        throw new FormatException($"{path}: lang '{file.Lang}' does not match its folder '{lang}'.");
                    }

                    if (file.Slug != Path.GetFileNameWithoutExtension(path))
                    {
                        throw new FormatException($"{path}: slug '{file.Slug}' does not match the file name.");
                    }

                    files.Add(file);
                }
                catch (FormatException ex)
                {
                    errors.Add(ex.Message);
                }
            }
        }

        return (files, errors);
    }

    public async Task<ImportReport> ImportDirectoryAsync(string directory, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        var (files, errors) = ReadDirectory(directory);
        var report = await ImportAsync(files, overwrite, cancellationToken);
        return report with { Errors = [.. errors, .. report.Errors] };
    }

    /// <summary>Creates or updates articles from files in one transaction, then records one audit entry.</summary>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<ArticleFile> files, bool overwrite, CancellationToken cancellationToken = default)
    {
        int created = 0, updated = 0, unchanged = 0, skipped = 0;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var articles = await db.KbArticles.Include(a => a.Translations).ToDictionaryAsync(a => a.Slug, StringComparer.Ordinal, cancellationToken);
        var touched = new List<(KbTranslation Translation, KbArticle Article)>();
        foreach (var group in files.GroupBy(f => f.Slug, StringComparer.Ordinal))
        {
            var first = group.OrderBy(f => f.Lang == KbLanguages.English ? 0 : 1).First();
            var isNew = !articles.TryGetValue(group.Key, out var article);
            if (!isNew && !overwrite)
            {
                skipped += group.Count();
                continue;
            }

            if (article is null)
            {
                article = new KbArticle { Slug = group.Key, Category = first.Category, Section = first.Section, CreatedAt = now, UpdatedAt = now };
                db.KbArticles.Add(article);
                articles[group.Key] = article;
            }

            article.Category = first.Category;
            article.Section = first.Section;
            article.Visibility = first.Visibility;
            article.Related = KbText.JoinList(first.Related);
            foreach (var file in group)
            {
                var translation = article.Translations.SingleOrDefault(t => t.Lang == file.Lang);
                var tags = KbText.JoinList(file.Tags);
                var reviewed = file.Reviewed is { } day ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : (DateTimeOffset?)null;
                var contentChanged = translation is null || translation.Title != file.Title || translation.Body != file.Body || translation.Tags != tags;
                var statusChanged = translation is not null && translation.Status != file.Status;
                if (translation is null)
                {
                    translation = new KbTranslation { Lang = file.Lang, Title = file.Title, Body = file.Body, CreatedAt = now };
                    article.Translations.Add(translation);
                    created++;
                }
                else if (contentChanged || statusChanged || translation.ReviewedAt != reviewed)
                {
                    updated++;
                }
                else
                {
                    unchanged++;
                    touched.Add((translation, article));
                    continue;
                }

                translation.Title = file.Title;
                translation.Body = file.Body;
                translation.Tags = tags;
                translation.ReviewedAt = reviewed;
                translation.UpdatedAt = now;
                translation.UpdatedBy = "import";
                if (translation.Status != file.Status)
                {
                    translation.Status = file.Status;
                    translation.PublishedAt = file.Status == ArticleStatus.Published ? now : translation.PublishedAt;
                }

                if (contentChanged)
                {
                    translation.Revision++;
                }

                touched.Add((translation, article));
            }

            article.UpdatedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var (translation, article) in touched)
        {
            if (!await db.KbRevisions.AnyAsync(r => r.TranslationId == translation.Id && r.Number == translation.Revision, cancellationToken))
            {
                db.KbRevisions.Add(new KbRevision
                {
                    TranslationId = translation.Id,
                    Number = translation.Revision,
                    Title = translation.Title,
                    Body = translation.Body,
                    Tags = translation.Tags,
                    CreatedAt = now,
                    Author = "import",
                    Note = "imported",
                });
            }

            await index.SyncAsync(db, translation, article, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (created + updated > 0)
        {
            await audit.AppendAsync(new AuditEvent("kb.imported", AuditOutcomes.Success, "system", null, "walletdesk", "kb_article", null, null,
                $"created={created}; updated={updated}; unchanged={unchanged}; skipped={skipped}"), cancellationToken);
        }

        return new ImportReport(created, updated, unchanged, skipped, []);
    }

    /// <summary>Writes every article translation to <c>DIR/articles/{lang}/{slug}.md</c>; returns the number of files.</summary>
    public async Task<int> ExportDirectoryAsync(string directory, CancellationToken cancellationToken = default)
    {
        var articles = await db.KbArticles.AsNoTracking().Include(a => a.Translations).OrderBy(a => a.Slug).ToListAsync(cancellationToken);
        var count = 0;
        foreach (var article in articles)
        {
            foreach (var translation in article.Translations)
            {
                // Slugs and languages were validated on the way in; check again before they become paths.
                if (!KbText.IsValidSlug(article.Slug) || !KbLanguages.IsKnown(translation.Lang))
                {
                    continue;
                }

                var folder = Path.Combine(directory, "articles", translation.Lang);
                Directory.CreateDirectory(folder);
                var file = new ArticleFile(
                    article.Slug, translation.Lang, translation.Title, article.Category, article.Section, translation.TagList,
                    article.Visibility, article.RelatedSlugs, translation.ReviewedAt is { } r ? DateOnly.FromDateTime(r.UtcDateTime) : null,
                    translation.Status, translation.Body);
                await File.WriteAllTextAsync(Path.Combine(folder, article.Slug + ".md"), file.ToMarkdown(), cancellationToken);
                count++;
            }
        }

        return count;
    }
}
