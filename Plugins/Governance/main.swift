import IndicatorKit
import Indicators

ModuleRunner.run(GovernanceModule())
