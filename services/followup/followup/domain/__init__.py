"""The pure domain of the followup service (docs/domain.md §6, §8): the `customer_file`
(`customer_file-<file_id>`), `callback` (`callback-<callback_id>`) and `campaign`
(`campaign-<campaign_id>`) aggregates, the due-time arithmetic, reminder proposals and the
CSI/VOC figures. No I/O here: time arrives on the commands."""
