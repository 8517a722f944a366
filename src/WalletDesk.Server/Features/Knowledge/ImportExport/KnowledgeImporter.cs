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

/// <summary>How far a folder import is: files read and imported so far out of the files found.</summary>
public sealed record ImportProgress(int Done, int Total);

/// <summary>
/// Imports and exports folders of Markdown files with front matter (<c>DIR/en/*.md</c> and <c>DIR/zh/*.md</c>, or
/// the same under <c>DIR/articles/</c>), and the starter content embedded in the server. Files are matched by
/// slug and language; changed content becomes a new revision. Only regular <c>.md</c> files directly inside the
/// language folders are read (no symbolic links, no recursion), at most 1 MiB each, any number of them: a folder is
/// imported in batches of <see cref="BatchSize"/> articles, one transaction each, with progress; every file left out is
/// reported by name with the reason.
/// </summary>
public sealed class KnowledgeImporter(AppDbContext db, KnowledgeIndex index, AuditService audit, TimeProvider time)
{
    public const int BatchSize = 250;
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

    /// <summary>Reads every article file of a folder; files that cannot be read are reported by name with the reason, not imported.</summary>
    public static (List<ArticleFile> Files, List<string> Errors) ReadDirectory(string directory)
    {
        var (candidates, errors) = ListDirectory(directory);
        var files = new List<ArticleFile>();
        foreach (var candidate in candidates)
        {
            if (ReadFile(candidate, out var error) is { } file)
            {
                files.Add(file);
            }
            else
            {
                errors.Add(error!);
            }
        }

        return (files, errors);
    }

    /// <summary>A file that passed the cheap checks (regular .md file, size), waiting to be read.</summary>
    public sealed record FileCandidate(string Path, string Lang)
    {
        public string Slug => System.IO.Path.GetFileNameWithoutExtension(Path);
    }

    /// <summary>The files of a folder to read, and everything in the language folders that will not be, each with the reason.</summary>
    public static (List<FileCandidate> Files, List<string> Skipped) ListDirectory(string directory)
    {
        var files = new List<FileCandidate>();
        var skipped = new List<string>();
        var folders = LanguageFolders(directory);
        if (folders.Count == 0)
        {
            skipped.Add($"{directory}: no 'en' or 'zh' folder (or 'articles/en', 'articles/zh').");
            return (files, skipped);
        }

        foreach (var folder in folders)
        {
            var lang = Path.GetFileName(folder);
            foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(path);
                if (info.Attributes.HasFlag(FileAttributes.ReparsePoint) || info.LinkTarget is not null)
                {
                    skipped.Add($"{path}: symbolic links are not imported.");
                }
                else if (info.Attributes.HasFlag(FileAttributes.Directory))
                {
                    skipped.Add($"{path}: a folder; only files directly in the language folder are imported.");
                }
                else if (!path.EndsWith(".md", StringComparison.Ordinal))
                {
                    skipped.Add($"{path}: not a .md file.");
                }
                else if (info.Length > MaxFileBytes)
                {
                    skipped.Add($"{path}: larger than {MaxFileBytes / 1024} KiB.");
                }
                else
                {
                    files.Add(new FileCandidate(path, lang));
                }
            }
        }

        return (files, skipped);
    }

    private static ArticleFile? ReadFile(FileCandidate candidate, out string? error)
    {
        error = null;
        try
        {
            var file = ArticleFile.Parse(File.ReadAllText(candidate.Path), candidate.Path);
            if (file.Lang != candidate.Lang)
            {
                throw new FormatException($"{candidate.Path}: lang '{file.Lang}' does not match its folder '{candidate.Lang}'.");
            }

            if (file.Slug != candidate.Slug)
            {
                throw new FormatException($"{candidate.Path}: slug '{file.Slug}' does not match the file name.");
            }

            return file;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
        }
        catch (IOException ex)
        {
            error = $"{candidate.Path}: could not be read ({ex.Message}).";
        }
        catch (UnauthorizedAccessException)
        {
            error = $"{candidate.Path}: no permission to read it.";
        }

        return null;
    }

    /// <summary>
    /// Imports a folder of any size in batches of <see cref="BatchSize"/> articles (both languages of an article in the
    /// same batch), one transaction each, reporting progress after each batch; one audit entry for the whole run.
    /// </summary>
    public async Task<ImportReport> ImportDirectoryAsync(string directory, bool overwrite = true, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var (candidates, errors) = ListDirectory(directory);
        var bySlug = candidates.GroupBy(c => c.Slug, StringComparer.Ordinal).ToList();
        int created = 0, updated = 0, unchanged = 0, skipped = 0, done = 0;
        progress?.Report(new ImportProgress(0, candidates.Count));
        foreach (var batch in bySlug.Chunk(BatchSize))
        {
            var files = new List<ArticleFile>();
            foreach (var candidate in batch.SelectMany(g => g))
            {
                if (ReadFile(candidate, out var error) is { } file)
                {
                    files.Add(file);
                }
                else
                {
                    errors.Add(error!);
                }
            }

            var report = await ImportBatchAsync(files, overwrite, cancellationToken);
            (created, updated, unchanged, skipped) = (created + report.Created, updated + report.Updated, unchanged + report.Unchanged, skipped + report.Skipped);
            done += batch.Sum(g => g.Count());
            progress?.Report(new ImportProgress(done, candidates.Count));
        }

        await AuditImportAsync(created, updated, unchanged, skipped, cancellationToken);
        return new ImportReport(created, updated, unchanged, skipped, errors);
    }

    /// <summary>Creates or updates articles from files in one transaction, then records one audit entry.</summary>
    public async Task<ImportReport> ImportAsync(IReadOnlyList<ArticleFile> files, bool overwrite, CancellationToken cancellationToken = default)
    {
        var report = await ImportBatchAsync(files, overwrite, cancellationToken);
        await AuditImportAsync(report.Created, report.Updated, report.Unchanged, report.Skipped, cancellationToken);
        return report;
    }

    private async Task AuditImportAsync(int created, int updated, int unchanged, int skipped, CancellationToken cancellationToken)
    {
        if (created + updated > 0)
        {
            await audit.AppendAsync(new AuditEvent("kb.imported", AuditOutcomes.Success, "system", null, "walletdesk", "kb_article", null, null,
                $"created={created}; updated={updated}; unchanged={unchanged}; skipped={skipped}"), cancellationToken);
        }
    }

    /// <summary>Creates or updates the articles of these files in one transaction; the caller audits.</summary>
    private async Task<ImportReport> ImportBatchAsync(IReadOnlyList<ArticleFile> files, bool overwrite, CancellationToken cancellationToken)
    {
        int created = 0, updated = 0, unchanged = 0, skipped = 0;
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var slugs = files.Select(f => f.Slug).Distinct(StringComparer.Ordinal).ToList();
        var articles = await db.KbArticles.Include(a => a.Translations).Where(a => slugs.Contains(a.Slug))
            .ToDictionaryAsync(a => a.Slug, StringComparer.Ordinal, cancellationToken);
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
        // A folder import runs many batches through one context: forget this batch's entities.
        db.ChangeTracker.Clear();
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
