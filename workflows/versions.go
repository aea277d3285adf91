package workflows

// Change IDs for workflow.GetVersion.
//
// The recorded histories in testdata/ without a suffix are of the code
// before changeLocalRecords (its DefaultVersion branches), those ending in
// _local_records of the code after it; the replay test (replay_test.go)
// proves both still replay. The pre-release branches that
// kept an inline approval, contract-level decisions and signatures, and
// contracts that simply expired (approval-engine, signing-rounds,
// active-life, quiet-handoff) were retired before the first release.
//
// From the first release on, every change to what a workflow does or in
// which order (a new activity, timer, child, signal or update effect, a
// removed or reordered one) goes behind a change ID declared here:
//
//  1. Record a history of the code before the change into testdata/
//     (SIGNET_RECORD_HISTORY=1 go test ./api -run TestRecordedHistoryReplays),
//     named for the workflow and the last change it knows.
//
//  2. Declare the change ID below with a comment saying what changed and
//     why, and branch on it where the new behaviour starts:
//
//     if workflow.GetVersion(ctx, changeX, workflow.DefaultVersion, 1) == 1 { new } else { old }
//
//  3. Keep the old branch until no execution that could take it is open
//     (the reconciliation report and `temporal workflow list` tell), then
//     delete it together with the fixtures only it replays.
//
// Adding an update or query handler, or reading state differently in a
// query, needs no change ID: handlers are not in the history.
//
// changeLocalRecords (issue 19): the workflows' PostgreSQL writes run as
// local activities in the workflow worker (no activity task, no extra
// workflow task per write), and the second step of a write is merged into
// its first: PlanAndSubmit (plan the round and record the submission),
// OpenStages (resolve a group's approvers and save their tasks), CloseRound
// from the decision that closes a round, a signature with the signing step
// it causes, the round's start with its first group's links. The search
// attributes a start already set are not upserted again. Runs recorded
// before keep remote activities (testdata/contract_reject_*.json and the
// rounds' fixtures); testdata/*_local_records.json are of this version.
const changeLocalRecords = "local-records"

// changeRoundsFinish: a contract's run closes only once its round children
// have completed too (at most roundsFinishWithin after its last handler),
// not merely once its handlers have. A round completes just after the
// contract has answered its report, so an archive arriving in between used
// to close the run while the round's completion was on its way; the server
// then refused the closing task and aborted the archive Update with it.
const changeRoundsFinish = "rounds-finish"

// changeSignedPDF (issue 18): when a signing round completes with every
// party signed, the round runs SignPDF (a local activity: CPU and one
// row) before reporting to the contract, so the version's PDF carries
// Signet's PDF digital signature from then on. One signature per
// completed round, not one per signer: the PDF is rendered with every
// signature and the certificate page once they all exist. Rounds
// recorded before (testdata/signing_round_signed*.json) sign nothing;
// testdata/signing_round_signed_pdf.json is of this version.
const changeSignedPDF = "signed-pdf"

// changeWithdrawVoid (issue 17): a submission can be withdrawn and a sent
// signing round voided. A review or signing round started since listens
// for its contract's recall (SignalRoundWithdraw, SignalSigningVoid) and
// closes itself with the outcome withdrawn or voided; the contract marks
// the rounds it starts so (RoundRecallable, SigningRecallable) and refuses
// to recall one started before, which would never hear it.
const changeWithdrawVoid = "withdraw-void"

// changeDirectClose (issue 19): a round started since reports to its
// contract by completing. The Update that closes it (a decision, the last
// signature, a decline) answers once the round has recorded its close,
// and the round's result is its outcome, which the contract applies when
// the child completes; the service then waits for that with the
// contract's UpdateAwaitRound. A signing round no longer signals that its
// first links are out: the send waits on the round's UpdateAwaitOpened.
// That drops the signals both ways and the workflow tasks they cost (two
// on each side of a round's close, two for the opened signal). The
// contract decides per round and tells the child (DirectClose in its
// input), so a round replays as it was started; rounds started before
// (the fixtures without _direct) keep the signals of rounds.go.
//
// A round started so asks no version of its own: the code that chose
// DirectClose runs changeLocalRecords, changeWithdrawVoid and
// changeSignedPDF, so the round takes all three as given. Each GetVersion
// records a marker and upserts TemporalChangeVersion, a visibility write
// on the server, five per lifecycle in the rounds.
const changeDirectClose = "direct-close"

// changeContractEpoch (issue 19): a contract run started since asks this
// one version, first thing, and takes changeLocalRecords,
// changeRoundsFinish, changeWithdrawVoid and changeDirectClose as given
// instead of asking each (contractWorkflow.since). Every GetVersion of a
// run records a marker and upserts TemporalChangeVersion, a visibility
// write on the server: one of each per contract instead of four, for
// nothing any run started now could take differently. Runs started before
// ask the four as recorded (the fixtures without _epoch);
// testdata/contract_*_epoch.json are of this version. A change after this
// one gets its own change ID again, asked where it starts.
const changeContractEpoch = "contract-epoch"
