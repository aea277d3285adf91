package console

import (
	"sort"
	"strconv"
	"strings"
)

// The console's languages: Chinese first, English second.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// msg is one message: Chinese, then English. %s and %d are filled in as
// fmt does.
type msg struct{ zh, en string }

// messages is the console's one message catalogue: every label a page
// shows comes from here (the tests check each key a template uses), and
// vocabulary values (statuses, roles, event kinds) are keys "kind.value".
var messages = map[string]msg{
	"app.tagline": {"合同全生命周期管理", "Contract lifecycle management"},

	"nav.menu":       {"菜单", "Menu"},
	"nav.home":       {"工作台", "Home"},
	"nav.inbox":      {"我的待办", "My tasks"},
	"nav.contracts":  {"合同台账", "Contracts"},
	"nav.account":    {"账户设置", "Account"},
	"nav.logout":     {"退出登录", "Sign out"},
	"nav.other_lang": {"English", "中文"},
	"nav.later":      {"客户、报表、管理与审计页面即将推出；目前可通过 API 使用。", "Customers, reports, admin and audit pages are coming; use the API for them meanwhile."},

	"login.title":      {"登录", "Sign in"},
	"login.login":      {"账号或邮箱", "User ID or email"},
	"login.password":   {"密码", "Password"},
	"login.submit":     {"登录", "Sign in"},
	"login.bad":        {"账号或密码错误。", "Wrong user ID, email or password."},
	"login.locked":     {"密码连续错误次数过多，请约 %d 分钟后再试。", "Too many wrong passwords in a row; try again in about %d minutes."},
	"login.expired":    {"会话已过期，请重新登录。", "Your session has expired; please sign in again."},
	"login.signed_out": {"您已安全退出。", "You have signed out."},
	"login.hint":       {"首次登录的密码由管理员设置。", "Your first password is set by an administrator."},

	"error.not_found":   {"页面不存在，或您无权查看。", "This page does not exist, or you may not see it."},
	"error.csrf":        {"请求来源校验失败，请刷新页面后重试。", "The request did not come from this console; reload the page and try again."},
	"error.unavailable": {"服务暂时不可用，请稍后重试。", "A backing service is unavailable; try again shortly."},
	"error.busy":        {"系统繁忙，请稍后重试。", "Signet is busy; try again in a moment."},
	"error.method":      {"此页面不支持该操作。", "This page does not take that method."},
	"error.refused":     {"操作未能完成", "That could not be done"},
	"error.home":        {"返回工作台", "Back to home"},

	"home.hello":                {"您好，%s", "Hello, %s"},
	"home.open_tasks":           {"待我审批", "Waiting for me"},
	"home.overdue_tasks":        {"已超时", "Overdue"},
	"home.expiring":             {"%d 天内到期", "Ending within %d days"},
	"home.my_tasks":             {"我的待办", "My open tasks"},
	"home.all":                  {"全部", "All"},
	"home.no_tasks":             {"暂无待办，干得漂亮。", "Nothing waits for you."},
	"home.by_status":            {"我的合同（按状态）", "My contracts by status"},
	"home.no_contracts":         {"暂无合同。", "No contracts yet."},
	"home.figures_not_for_role": {"您的角色不查看合同金额汇总。", "Your role does not read the contract figures."},
	"home.expiring_title":       {"即将到期（90 天内）", "Ending within 90 days"},
	"home.none_expiring":        {"90 天内没有到期的合同。", "No contract ends within 90 days."},
	"home.recent":               {"最近动态", "Recent events"},
	"home.no_events":            {"暂无动态。", "Nothing has happened yet."},

	"inbox.filter":    {"按状态筛选", "Filter by status"},
	"inbox.overdue":   {"已超时", "Overdue"},
	"inbox.empty":     {"这里没有任务。", "No tasks here."},
	"inbox.decided":   {"已提交您对 %s 的审批意见。", "Your decision on %s was recorded."},
	"inbox.delegated": {"代 %s 审批", "Delegated by %s"},

	"task.risk":            {"风险", "Risk"},
	"task.round":           {"第 %d 轮", "Round %d"},
	"task.open_contract":   {"查看合同", "Open the contract"},
	"task.findings":        {"风险提示", "Risk findings"},
	"task.no_findings":     {"未发现风险。", "No findings."},
	"task.blocking":        {"阻断", "Blocking"},
	"task.why":             {"审批路径与原因", "Why this route"},
	"task.policy":          {"审批策略 %s 第 %d 版", "Policy %s, version %d"},
	"task.sla_hours":       {"时限 %d 小时", "SLA %d h"},
	"task.quorum":          {"会签规则：%s", "Quorum: %s"},
	"task.changes":         {"变更内容", "What changed"},
	"task.since_round":     {"与您在第 %d 轮看到的版本相比：", "Against the version you saw in round %d:"},
	"task.since_in_force":  {"与当前生效版本相比：", "Against the version in force:"},
	"task.first_look":      {"这是您第一次审阅本合同，没有可比较的早先版本。", "This is your first look at this contract: there is no earlier version to compare."},
	"task.opinions":        {"历史审批意见", "Earlier opinions"},
	"task.no_opinions":     {"暂无审批意见。", "No opinions yet."},
	"task.document":        {"合同文本", "Document"},
	"task.document_full":   {"新窗口打开", "Open in a new window"},
	"task.decide":          {"审批", "Decide"},
	"task.opinion":         {"审批意见", "Opinion"},
	"task.opinion_hint":    {"驳回或要求修改时必须填写", "Required to reject or request changes"},
	"task.approve":         {"同意", "Approve"},
	"task.request_changes": {"要求修改", "Request changes"},
	"task.reject":          {"驳回", "Reject"},
	"task.refused":         {"未能提交：", "Not recorded:"},
	"task.not_open":        {"此任务已处理或不在您的待办中。", "This task is decided, or not yours to decide."},

	"new.title":            {"新建合同", "New contract"},
	"new.intro":            {"先选择客户和合同模板，再填写合同内容并保存为草稿。", "Choose the customer and the template, then fill in the contract and save it as a draft."},
	"new.step_choose":      {"客户与模板", "Customer and template"},
	"new.template":         {"合同模板", "Template"},
	"new.pick":             {"请选择", "Choose"},
	"new.next":             {"下一步", "Next"},
	"new.fix":              {"请修改标红的内容后再保存。", "Please correct the fields marked in red, then save."},
	"new.basics":           {"基本信息", "Basics"},
	"new.contract_title":   {"合同名称", "Title"},
	"new.contact":          {"客户联系人", "Customer contact"},
	"new.may_sign":         {"签字人", "signatory"},
	"new.start_date":       {"开始日期", "Start date"},
	"new.end_date":         {"结束日期", "End date"},
	"new.fields":           {"合同条款字段", "Contract fields"},
	"new.auto":             {"自动填写", "Filled in"},
	"new.auto_later":       {"保存时填写", "Filled in on saving"},
	"new.in_yuan":          {"（元）", "(in major units)"},
	"new.optional_clauses": {"可选条款", "Optional clauses"},
	"new.product":          {"产品", "Product"},
	"new.price_hint":       {"（留空即标准价）", "(blank: list price)"},
	"new.reprice":          {"重新计算金额", "Recalculate"},
	"new.total":            {"合计（含税）", "Total (tax included)"},
	"new.no_lines":         {"选择产品并填写数量后，这里显示服务器计算的金额。", "Choose a product and a quantity; the server's pricing appears here."},
	"new.plan_hint":        {"回款计划各期金额之和须等于合同总额；不填则不跟踪回款。", "The milestones must add up to the contract total; leave empty to track no receivables."},
	"new.obligations":      {"履约义务", "Obligations"},
	"new.obligation":       {"事项", "Deliverable"},
	"new.renewal":          {"续约设置", "Renewal"},
	"new.auto_renew":       {"到期自动续约", "Renew automatically at the end of the term"},
	"new.through_approval": {"续约需重新审批", "Renewal goes through approval"},
	"new.notice_days":      {"到期提醒（提前天数，逗号分隔）", "Reminders (days before the end, comma-separated)"},
	"new.save":             {"保存草稿", "Save draft"},
	"new.cancel":           {"取消", "Cancel"},
	"nav.new":              {"新建合同", "New contract"},

	"action.submit":         {"提交审批", "Submit for approval"},
	"action.submit_confirm": {"提交后合同进入审批，审批期间不能修改。确定提交？", "The contract goes into review and cannot be edited meanwhile. Submit it?"},
	"action.send":           {"发起签署", "Send for signature"},
	"action.company_signer": {"我方签字人", "Our signatory"},
	"action.deadline_days":  {"签署期限（天）", "Days to sign"},
	"action.send_confirm":   {"签署链接将发给我方签字人和客户签字人。确定发起？", "Signing links go to our signatory and the customer's. Send it?"},
	"action.cancel":         {"作废合同", "Cancel contract"},
	"action.reason":         {"作废原因", "Reason"},
	"action.cancel_confirm": {"作废后不可恢复。确定作废？", "A cancelled contract cannot be restored. Cancel it?"},
	"action.confirm":        {"确定", "Confirm"},
	"action.confirm_cancel": {"确定作废", "Cancel the contract"},
	"action.refused_submit": {"未能提交审批：", "Not submitted:"},
	"action.refused_cancel": {"未能作废：", "Not cancelled:"},
	"action.refused_send":   {"未能发起签署：", "Not sent:"},
	"action.done_created":   {"合同草稿已保存。", "The draft is saved."},
	"action.done_submit":    {"已提交审批。", "Submitted for approval."},
	"action.done_cancel":    {"合同已作废。", "The contract is cancelled."},
	"action.done_send":      {"已发起签署。", "Sent for signature."},

	"contract.version":          {"第 %d 版", "Version %d"},
	"contract.waiting":          {"当前等待：", "Waiting for:"},
	"contract.live_unavailable": {"流程实时状态暂不可用，以下为已记录的数据。", "The live state is unavailable; what is recorded is shown."},
	"contract.approval":         {"审批记录", "Approval rounds"},
	"contract.in_progress":      {"进行中", "In progress"},
	"contract.no_rounds":        {"尚未提交审批。", "Not submitted for approval yet."},
	"contract.timeline":         {"时间线", "Timeline"},
	"contract.signing":          {"签署", "Signing"},
	"contract.signing_round":    {"第 %d 轮签署", "Signing round %d"},
	"contract.deadline":         {"截止", "deadline"},
	"contract.no_signing":       {"尚未发起签署。", "Not sent for signature yet."},
	"contract.plan":             {"回款计划", "Payment plan"},
	"contract.no_plan":          {"无回款计划。", "No payment plan."},
	"contract.lines":            {"产品明细", "Line items"},

	"ledger.any":         {"全部", "Any"},
	"ledger.signed_from": {"签署日期自", "Signed from"},
	"ledger.signed_to":   {"签署日期至", "Signed to"},
	"ledger.end_from":    {"到期日期自", "Ends from"},
	"ledger.end_to":      {"到期日期至", "Ends to"},
	"ledger.overdue":     {"逾期回款", "Overdue payments"},
	"ledger.yes":         {"是", "Yes"},
	"ledger.no":          {"否", "No"},
	"ledger.sort":        {"排序", "Sort"},
	"ledger.apply":       {"查询", "Apply"},
	"ledger.reset":       {"重置", "Reset"},
	"ledger.empty":       {"没有符合条件的合同。", "No contract matches."},
	"ledger.first":       {"第一页", "First page"},
	"ledger.next":        {"下一页", "Next page"},
	"ledger.overdue_tag": {"逾期", "Overdue"},
	"sort.-number":       {"编号（新→旧）", "Number, newest first"},
	"sort.number":        {"编号（旧→新）", "Number, oldest first"},
	"sort.-amount":       {"金额（高→低）", "Amount, highest first"},
	"sort.amount":        {"金额（低→高）", "Amount, lowest first"},
	"sort.-signed_at":    {"签署时间（新→旧）", "Signed, newest first"},
	"sort.end_date":      {"到期日期（近→远）", "Ending soonest"},
	"sort.-outstanding":  {"未回款（多→少）", "Outstanding, most first"},
	"sort.customer":      {"客户名称", "Customer"},

	"account.title":            {"账户设置", "Account"},
	"account.profile":          {"个人信息", "Profile"},
	"account.id":               {"账号", "User ID"},
	"account.name":             {"姓名", "Name"},
	"account.email":            {"邮箱", "Email"},
	"account.roles":            {"角色", "Roles"},
	"account.language":         {"界面语言", "Language"},
	"account.language_browser": {"跟随浏览器", "As the browser says"},
	"account.save":             {"保存", "Save"},
	"account.password":         {"修改密码", "Change password"},
	"account.current":          {"当前密码", "Current password"},
	"account.new":              {"新密码", "New password"},
	"account.confirm":          {"确认新密码", "Repeat the new password"},
	"account.rules":            {"至少 10 个字符，不含账号；修改后其他设备上的登录将失效。", "At least 10 characters, not containing your user ID; other devices are signed out."},
	"account.change":           {"修改密码", "Change password"},
	"account.mismatch":         {"两次输入的新密码不一致", "does not repeat the new password"},
	"account.locked":           {"密码连续错误次数过多，请稍后再试", "too many wrong passwords in a row; try again later"},
	"account.password_changed": {"密码已修改，其他设备上的登录已失效。", "Password changed; your other sessions have ended."},
	"account.language_changed": {"界面语言已保存。", "Language saved."},

	"col.number":      {"合同编号", "Number"},
	"col.title":       {"合同名称", "Title"},
	"col.customer":    {"客户", "Customer"},
	"col.amount":      {"金额", "Amount"},
	"col.stage":       {"审批环节", "Stage"},
	"col.owner":       {"负责人", "Owner"},
	"col.sla":         {"时限", "SLA"},
	"col.status":      {"状态", "Status"},
	"col.count":       {"数量", "Count"},
	"col.end_date":    {"到期日", "Ends"},
	"col.days_left":   {"剩余天数", "Days left"},
	"col.renewal":     {"续约", "Renewal"},
	"col.term":        {"合同期限", "Term"},
	"col.due":         {"截止时间", "Due"},
	"col.field":       {"条款项", "Term"},
	"col.before":      {"原内容", "Before"},
	"col.after":       {"新内容", "After"},
	"col.type":        {"合同类型", "Type"},
	"col.signed_at":   {"签署时间", "Signed"},
	"col.signed_on":   {"签署日期", "Signed on"},
	"col.sha256":      {"文档指纹 (SHA-256)", "Document SHA-256"},
	"col.approver":    {"审批人", "Approver"},
	"col.opinion":     {"意见", "Opinion"},
	"col.when":        {"时间", "When"},
	"col.group":       {"顺序", "Group"},
	"col.party":       {"签署方", "Party"},
	"col.name":        {"姓名", "Name"},
	"col.milestone":   {"回款节点", "Milestone"},
	"col.received":    {"已回款", "Received"},
	"col.outstanding": {"未回款", "Outstanding"},
	"col.item":        {"产品", "Item"},
	"col.quantity":    {"数量", "Quantity"},
	"col.unit_price":  {"单价（不含税）", "Unit price (net)"},
	"col.tax":         {"税额", "Tax"},
	"col.total":       {"价税合计", "Total"},

	"sla.none":       {"无时限", "No deadline"},
	"sla.left":       {"剩余 %s", "%s left"},
	"sla.over":       {"已超时 %s", "%s overdue"},
	"dur.days_hours": {"%d 天 %d 小时", "%dd %dh"},
	"dur.hours":      {"%d 小时", "%dh"},
	"dur.minutes":    {"%d 分钟", "%d min"},

	"status.draft":      {"草稿", "Draft"},
	"status.in_review":  {"审批中", "In review"},
	"status.approved":   {"已审批", "Approved"},
	"status.signing":    {"签署中", "Signing"},
	"status.active":     {"履行中", "Active"},
	"status.expired":    {"已到期", "Expired"},
	"status.cancelled":  {"已取消", "Cancelled"},
	"status.renewed":    {"已续约", "Renewed"},
	"status.terminated": {"已终止", "Terminated"},
	"status.completed":  {"已履约完成", "Completed"},
	"status.archived":   {"已归档", "Archived"},

	"role.sales":         {"销售", "Sales"},
	"role.sales_manager": {"销售经理", "Sales manager"},
	"role.legal":         {"法务", "Legal"},
	"role.finance":       {"财务", "Finance"},
	"role.executive":     {"高管", "Executive"},
	"role.admin":         {"管理员", "Admin"},
	"role.auditor":       {"审计", "Auditor"},

	"task.pending":           {"未开始", "Pending"},
	"task.open":              {"待审批", "Open"},
	"task.approved":          {"已同意", "Approved"},
	"task.rejected":          {"已驳回", "Rejected"},
	"task.changes_requested": {"要求修改", "Changes requested"},
	"task.cancelled":         {"已取消", "Cancelled"},

	"outcome.approved":          {"审批通过", "Approved"},
	"outcome.rejected":          {"已驳回", "Rejected"},
	"outcome.changes_requested": {"要求修改", "Changes requested"},
	"outcome.cancelled":         {"已取消", "Cancelled"},

	"severity.none":   {"无", "None"},
	"severity.low":    {"低", "Low"},
	"severity.medium": {"中", "Medium"},
	"severity.high":   {"高", "High"},

	"change.added":   {"新增", "Added"},
	"change.removed": {"删除", "Removed"},
	"change.changed": {"修改", "Changed"},

	"party.company":  {"我方", "Our company"},
	"party.customer": {"客户方", "Customer"},

	"signer.waiting":  {"等待中", "Waiting"},
	"signer.open":     {"待签署", "To sign"},
	"signer.signed":   {"已签署", "Signed"},
	"signer.declined": {"已拒签", "Declined"},
	"signer.closed":   {"已关闭", "Closed"},

	"renewal.none":        {"未续约", "None"},
	"renewal.auto":        {"自动续约", "Renews itself"},
	"renewal.in_progress": {"续约中", "In progress"},
	"renewal.renewed":     {"已续约", "Renewed"},

	"event.created":               {"创建", "Created"},
	"event.submitted":             {"提交审批", "Submitted"},
	"event.task_approved":         {"审批同意", "Stage approved"},
	"event.rejected":              {"审批驳回", "Rejected"},
	"event.changes_requested":     {"要求修改", "Changes requested"},
	"event.sent_for_signature":    {"发起签署", "Sent for signature"},
	"event.signed":                {"签署", "Signed"},
	"event.cancelled":             {"取消", "Cancelled"},
	"event.expired":               {"到期", "Expired"},
	"event.revised":               {"修改草稿", "Draft revised"},
	"event.approved":              {"审批通过", "Approved"},
	"event.signing_declined":      {"拒签", "Signing declined"},
	"event.signing_expired":       {"签署过期", "Signing expired"},
	"event.invoice_recorded":      {"登记开票", "Invoice recorded"},
	"event.payment_recorded":      {"登记回款", "Payment recorded"},
	"event.invoice_reversed":      {"发票红冲", "Invoice reversed"},
	"event.payment_reversed":      {"回款冲销", "Payment reversed"},
	"event.obligation_updated":    {"履约进展", "Obligation updated"},
	"event.renewed":               {"续约", "Renewed"},
	"event.renewal_activated":     {"续约生效", "Renewal activated"},
	"event.completed":             {"履约完成", "Completed"},
	"event.archived":              {"归档", "Archived"},
	"event.termination_requested": {"申请终止", "Termination requested"},
	"event.termination_rejected":  {"终止被驳回", "Termination rejected"},
	"event.terminated":            {"终止", "Terminated"},
	"event.amendment_requested":   {"申请变更", "Amendment requested"},
	"event.amendment_approved":    {"变更审批通过", "Amendment approved"},
	"event.amendment_rejected":    {"变更被驳回", "Amendment rejected"},
	"event.amended":               {"变更生效", "Amended"},
}

// pickLanguage is the language a visitor reads: the one they chose, else
// the first of Accept-Language's that the console has (by q), else
// Chinese.
func pickLanguage(chosen, acceptLanguage string) string {
	if chosen == langZH || chosen == langEN {
		return chosen
	}
	type tag struct {
		lang string
		q    float64
	}
	var tags []tag
	for _, part := range strings.Split(acceptLanguage, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		name = strings.ToLower(name)
		switch {
		case name == "zh" || strings.HasPrefix(name, "zh-"):
			tags = append(tags, tag{langZH, q})
		case name == "en" || strings.HasPrefix(name, "en-"):
			tags = append(tags, tag{langEN, q})
		}
	}
	sort.SliceStable(tags, func(i, j int) bool { return tags[i].q > tags[j].q })
	if len(tags) > 0 && tags[0].q > 0 {
		return tags[0].lang
	}
	return langZH
}
