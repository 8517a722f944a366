using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace WalletDesk.Server.Features.Knowledge;

/// <summary>Article states. Only <see cref="Published"/> is ever shown to customers or indexed for search.</summary>
public static class ArticleStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Archived = "archived";

    public static readonly IReadOnlyList<string> All = [Draft, Published, Archived];
}

/// <summary><see cref="Public"/> articles appear in the help center; <see cref="Internal"/> ones only to staff.</summary>
public static class ArticleVisibility
{
    public const string Public = "public";
    public const string Internal = "internal";

    public static readonly IReadOnlyList<string> All = [Public, Internal];
}

/// <summary>The languages the knowledge base is written in.</summary>
public static class KbLanguages
{
    public const string English = "en";
    public const string Chinese = "zh";

    public static readonly IReadOnlyList<string> All = [English, Chinese];

    public static bool IsKnown(string? lang) => lang is English or Chinese;

    public static string Other(string lang) => lang == Chinese ? English : Chinese;
}

/// <summary>One article: the language-independent part (slug, place, visibility, related); its text lives in translations.</summary>
public sealed class KbArticle
{
    public long Id { get; set; }

    /// <summary>Stable id and URL part, also the translation key (lowercase words joined by hyphens).</summary>
    public required string Slug { get; set; }
    public required string Category { get; set; }
    public required string Section { get; set; }
    public string Visibility { get; set; } = ArticleVisibility.Public;

    /// <summary>Related article slugs, comma-separated.</summary>
    public string Related { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<KbTranslation> Translations { get; set; } = [];

    public IReadOnlyList<string> RelatedSlugs => KbText.SplitList(Related);
}

/// <summary>An article in one language, with its own status and revision history.</summary>
public sealed class KbTranslation
{
    public long Id { get; set; }
    public long ArticleId { get; set; }
    public KbArticle? Article { get; set; }
    public required string Lang { get; set; }
    public required string Title { get; set; }

    /// <summary>Markdown; rendered only through <see cref="Rendering.MarkdownRenderer"/>.</summary>
    public required string Body { get; set; }

    /// <summary>Search keywords, comma-separated.</summary>
    public string Tags { get; set; } = "";
    public string Status { get; set; } = ArticleStatus.Draft;

    /// <summary>The number of the newest revision; edits send it back to detect a concurrent change.</summary>
    public int Revision { get; set; }

    /// <summary>When the content was last checked to be right (midnight UTC of that day).</summary>
    public DateTimeOffset? ReviewedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public string? UpdatedBy { get; set; }
    public int HelpfulCount { get; set; }
    public int NotHelpfulCount { get; set; }

    public IReadOnlyList<string> TagList => KbText.SplitList(Tags);
}

/// <summary>A saved state of a translation; restoring one writes a new revision with its content.</summary>
public sealed class KbRevision
{
    public long Id { get; set; }
    public long TranslationId { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public string Tags { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string? Author { get; set; }
    public string? Note { get; set; }
}

/// <summary>A "was this helpful?" answer, with the reader's optional comment (redacted before it is stored).</summary>
public sealed class KbFeedback
{
    public long Id { get; set; }
    public long TranslationId { get; set; }
    public bool Helpful { get; set; }
    public string? Comment { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One search as a reader ran it, for content-gap analytics; the id is unguessable so clicks can refer to it.</summary>
public sealed class KbSearchEvent
{
    public Guid Id { get; set; }

    /// <summary>The normalized, redacted query.</summary>
    public required string Query { get; set; }
    public required string Lang { get; set; }
    public required string Source { get; set; }
    public int ResultCount { get; set; }
    public string? CorrectedQuery { get; set; }
    public string? ClickedSlug { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What a customer did after the widget or ticket form suggested articles (deflection).</summary>
public sealed class KbDeflectionEvent
{
    public long Id { get; set; }
    public required string Source { get; set; }
    public string? Query { get; set; }
    public string? ArticleSlug { get; set; }
    public required string Outcome { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class KbArticleConfiguration : IEntityTypeConfiguration<KbArticle>
{
    public void Configure(EntityTypeBuilder<KbArticle> builder)
    {
        builder.ToTable("kb_articles");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Slug).HasMaxLength(96);
        builder.Property(a => a.Category).HasMaxLength(48);
        builder.Property(a => a.Section).HasMaxLength(48);
        builder.Property(a => a.Visibility).HasMaxLength(16);
        builder.Property(a => a.Related).HasMaxLength(1024);
        builder.HasIndex(a => a.Slug).IsUnique();
        builder.HasIndex(a => new { a.Category, a.Section });
        builder.HasMany(a => a.Translations).WithOne(t => t.Article).HasForeignKey(t => t.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(a => a.RelatedSlugs);
    }
}

internal sealed class KbTranslationConfiguration : IEntityTypeConfiguration<KbTranslation>
{
    public void Configure(EntityTypeBuilder<KbTranslation> builder)
    {
        builder.ToTable("kb_translations");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Lang).HasMaxLength(8);
        builder.Property(t => t.Title).HasMaxLength(200);
        builder.Property(t => t.Body).HasMaxLength(KbLimits.BodyLength);
        builder.Property(t => t.Tags).HasMaxLength(512);
        builder.Property(t => t.Status).HasMaxLength(16);
        builder.Property(t => t.UpdatedBy).HasMaxLength(128);
        builder.HasIndex(t => new { t.ArticleId, t.Lang }).IsUnique();
        builder.HasIndex(t => new { t.Status, t.Lang });
        builder.Ignore(t => t.TagList);
    }
}

internal sealed class KbRevisionConfiguration : IEntityTypeConfiguration<KbRevision>
{
    public void Configure(EntityTypeBuilder<KbRevision> builder)
    {
        builder.ToTable("kb_revisions");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Title).HasMaxLength(200);
        builder.Property(r => r.Body).HasMaxLength(KbLimits.BodyLength);
        builder.Property(r => r.Tags).HasMaxLength(512);
        builder.Property(r => r.Author).HasMaxLength(128);
        builder.Property(r => r.Note).HasMaxLength(200);
        builder.HasIndex(r => new { r.TranslationId, r.Number }).IsUnique();
        builder.HasOne<KbTranslation>().WithMany().HasForeignKey(r => r.TranslationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class KbFeedbackConfiguration : IEntityTypeConfiguration<KbFeedback>
{
    public void Configure(EntityTypeBuilder<KbFeedback> builder)
    {
        builder.ToTable("kb_feedback");
        builder.HasKey(f => f.Id);
        builder.Property(f => f.Comment).HasMaxLength(KbLimits.CommentLength);
        builder.Property(f => f.Source).HasMaxLength(16);
        builder.HasIndex(f => new { f.TranslationId, f.CreatedAt });
        builder.HasOne<KbTranslation>().WithMany().HasForeignKey(f => f.TranslationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class KbSearchEventConfiguration : IEntityTypeConfiguration<KbSearchEvent>
{
    public void Configure(EntityTypeBuilder<KbSearchEvent> builder)
    {
        builder.ToTable("kb_search_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Query).HasMaxLength(KbLimits.QueryLength);
        builder.Property(e => e.CorrectedQuery).HasMaxLength(KbLimits.QueryLength);
        builder.Property(e => e.Lang).HasMaxLength(8);
        builder.Property(e => e.Source).HasMaxLength(16);
        builder.Property(e => e.ClickedSlug).HasMaxLength(96);
        builder.HasIndex(e => e.CreatedAt);
    }
}

internal sealed class KbDeflectionEventConfiguration : IEntityTypeConfiguration<KbDeflectionEvent>
{
    public void Configure(EntityTypeBuilder<KbDeflectionEvent> builder)
    {
        builder.ToTable("kb_deflection_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Source).HasMaxLength(16);
        builder.Property(e => e.Query).HasMaxLength(KbLimits.QueryLength);
        builder.Property(e => e.ArticleSlug).HasMaxLength(96);
        builder.Property(e => e.Outcome).HasMaxLength(24);
        builder.HasIndex(e => e.CreatedAt);
    }
}

/// <summary>Size limits shared by validation, the schema and the importer.</summary>
public static class KbLimits
{
    public const int BodyLength = 100_000;
    public const int CommentLength = 1000;
    public const int QueryLength = 200;
    public const int TitleLength = 200;
    public const int TagsLength = 512;
}
