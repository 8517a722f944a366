using System.Globalization;

namespace WalletDesk.Server.Features.Chat;

/// <summary>
/// Words for <see cref="ExpectedReply"/>: from the live queue estimate while people are online, from the ticket's
/// first-response deadline when nobody is. Nothing else in WalletDesk tells a chat customer when a person answers.
/// </summary>
public static class ExpectedReplies
{
    public static ExpectedReply? For(string status, string language, int? waitSeconds, DateTimeOffset? firstResponseDue, DateTimeOffset now)
    {
        var zh = language == "zh";
        switch (status)
        {
            case ChatStatuses.Queued when waitSeconds is { } wait:
                var minutes = Math.Max(1, (int)Math.Ceiling(wait / 60.0));
                return new ExpectedReply("queue", wait, now.AddSeconds(wait), wait <= 0
                    ? (zh ? "客服马上为您服务。" : "A person will be with you shortly.")
                    : zh ? $"客服预计约 {minutes} 分钟后回复您。" : $"A person will reply in about {minutes} minute{(minutes == 1 ? "" : "s")}.");
            case ChatStatuses.Offline:
                var by = firstResponseDue is { } due ? Format(due, zh) : null;
                return new ExpectedReply("request", null, firstResponseDue, (zh, by) switch
                {
                    (false, { } at) => $"Nobody is online right now, so this chat continues as a request: a person will answer by {at}. You can close this window; the answer will be here when you come back.",
                    (false, null) => "Nobody is online right now, so this chat continues as a request: a person will answer as soon as possible. You can close this window; the answer will be here when you come back.",
                    (true, { } at) => $"目前没有客服在线，本次对话将作为请求继续处理：我们会在 {at} 之前回复您。您可以关闭此窗口，回复会保存在这里。",
                    (true, null) => "目前没有客服在线，本次对话将作为请求继续处理：我们会尽快回复您。您可以关闭此窗口，回复会保存在这里。",
                });
            default:
                return null;
        }
    }

    private static string Format(DateTimeOffset at, bool zh) => zh
        ? at.ToUniversalTime().ToString("M月d日 HH:mm (UTC)", CultureInfo.InvariantCulture)
        : at.ToUniversalTime().ToString("MMM d, HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
