namespace WalletDesk.Server.Features.Tickets.Sla;

/// <summary>Ready-made policy definitions operators start from.</summary>
public static class SlaPolicyTemplates
{
    /// <summary>
    /// A regulatory complaint clock: a final response by the end of the <paramref name="businessDays"/>-th business day
    /// after the day of receipt, counted on <paramref name="calendarId"/>. It does not pause while waiting on the
    /// customer or a third party, because the regulator's clock does not; a warning at 2/3 of the business time lets the
    /// complaints team chase, and the breach goes to compliance. Evaluate it alongside the standard policy for tickets
    /// that are complaints; its resolution clock is the final-response deadline.
    /// </summary>
    public static SlaPolicyDefinition RegulatoryComplaint(int businessDays, string calendarId, string? id = null) => new()
    {
        Id = id ?? $"complaint-{businessDays}bd",
        Name = $"Regulatory complaint: final response within {businessDays} business days",
        CalendarId = calendarId,
        Targets =
        [
            new SlaTargetRule
            {
                Metric = SlaMetric.Resolution,
                Target = SlaTarget.Days(businessDays),
                PausesWhilePending = false,
            },
        ],
        Warning = new SlaWarningRule(AtFractionElapsed: 2.0 / 3),
        Escalations =
        [
            new SlaEscalationRule { Id = "warn-complaints-team", On = SlaTrigger.Warning, Actions = [SlaAction.Notify("complaints_team")] },
            new SlaEscalationRule { Id = "breach-compliance", On = SlaTrigger.Breach, Actions = [SlaAction.Notify("compliance"), SlaAction.Notify("group_lead")] },
        ],
    };

    /// <summary>10 business days (e.g. PSD2-style payment-service complaints in the simple case).</summary>
    public static SlaPolicyDefinition Complaint10BusinessDays(string calendarId) => RegulatoryComplaint(10, calendarId);

    /// <summary>15 business days (e.g. FCA DISP 1.6.2A for payment services and e-money).</summary>
    public static SlaPolicyDefinition Complaint15BusinessDays(string calendarId) => RegulatoryComplaint(15, calendarId);
}
