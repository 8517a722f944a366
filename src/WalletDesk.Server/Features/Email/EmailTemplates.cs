using System.Globalization;
using System.Net;

namespace WalletDesk.Server.Features.Email;

/// <summary>A rendered mail: subject, plain text and the same as safe HTML.</summary>
public sealed record RenderedEmail(string Subject, string Text, string Html);

/// <summary>The email channel's messages to customers, in English and Chinese, plain text plus HTML built from escaped text.</summary>
public static class EmailTemplates
{
    public static RenderedEmail Acknowledgement(long ticketId, string subject, string language)
    {
        var number = ticketId.ToString(CultureInfo.InvariantCulture);
        return language == "zh"
            ? Render($"[#{number}] 我们已收到您的请求：{subject}",
                $"您好，\n\n我们已收到您的邮件，工单号为 #{number}。客服人员会尽快回复您。\n\n如需补充信息，请直接回复本邮件（请保留邮件主题中的工单号）。\n\n请勿在邮件中发送完整的银行卡号、安全码、密码或验证码。\n\nWalletDesk 客服")
            : Render($"[#{number}] We received your request: {subject}",
                $"Hello,\n\nWe received your email and opened ticket #{number}. An agent will answer you soon.\n\nTo add anything, reply to this email (keep the ticket number in the subject).\n\nNever send a full card number, security code, password or one-time code by email.\n\nWalletDesk Support");
    }

    public static RenderedEmail Reply(long ticketId, string subject, string agentText, string language)
    {
        var number = ticketId.ToString(CultureInfo.InvariantCulture);
        var cleanSubject = subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;
        return language == "zh"
            ? Render($"{cleanSubject} [#{number}]", $"{agentText}\n\n--\n工单 #{number} · 直接回复本邮件即可继续沟通。\nWalletDesk 客服")
            : Render($"{cleanSubject} [#{number}]", $"{agentText}\n\n--\nTicket #{number} · Reply to this email to continue.\nWalletDesk Support");
    }

    private static RenderedEmail Render(string subject, string text)
    {
        var paragraphs = text.Split("\n\n").Select(p => "<p>" + string.Join("<br>", p.Split('\n').Select(WebUtility.HtmlEncode)) + "</p>");
        var html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">" + string.Concat(paragraphs) + "</body></html>";
        return new RenderedEmail(subject.Length <= EmailLimits.Subject ? subject : subject[..EmailLimits.Subject], text, html);
    }
}
